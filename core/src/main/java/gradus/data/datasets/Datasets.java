package gradus.data.datasets;

import gradus.data.CsvDataset;
import gradus.data.CsvOptions;
import gradus.data.DataException;
import gradus.data.Interactions;
import gradus.data.Scaler;
import gradus.data.TensorDataset;
import gradus.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a data set named by a spec string, as given on the command line:
 * {@code fashion-mnist:train|test}, {@code fashion-mnist-sample:train|test}, {@code boston:train|test},
 * or a path to a CSV file (label in the last column, task inferred; see {@link CsvDataset}).
 */
public final class Datasets {
    /** The spec strings {@link #open} understands. */
    public static final List<String> KNOWN = List.of(
            "fashion-mnist:train", "fashion-mnist:test",
            "fashion-mnist-sample:train", "fashion-mnist-sample:test",
            "boston:train", "boston:test",
            "ffq:train", "ffq:test", "supermarket:train", "supermarket:test",
            "PATH.csv");

    private Datasets() {}

    /**
     * An opened data set and the scaler already applied to its inputs (null when none was): a model
     * trained on it must apply the same scaler to new inputs, so save {@link Scaler#state()} with it.
     */
    public record Opened(String spec, TensorDataset dataset, Scaler scaler) {}

    /** Opens {@code spec}; {@code dataDir} (may be null) is searched first for the data files. */
    public static Opened open(String spec, Path dataDir) {
        DataHome.requireGiven(dataDir);
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String split = colon < 0 ? "" : spec.substring(colon + 1);
        switch (name) {
            case "fashion-mnist" -> {
                return new Opened(spec, FashionMnist.load(dataDir, checkSplit(spec, split)), null);
            }
            case "fashion-mnist-sample" -> {
                return new Opened(spec, FashionMnist.sample(checkSplit(spec, split)), null);
            }
            case "boston" -> {
                return Boston.open(checkSplit(spec, split), dataDir);
            }
            case "ffq", "supermarket" -> {
                Interactions.Parts parts = interactions(name, dataDir);
                boolean train = checkSplit(spec, split).equals("train");
                // a pointwise implicit model (NeuMF) trains on positives and sampled negatives; ratings train as they are
                Interactions part = !train ? parts.test()
                        : name.equals("supermarket") ? parts.train().withSampledNegatives(Supermarket.NEGATIVES, Supermarket.SPLIT_SEED) : parts.train();
                return new Opened(spec, part.toDataset(), null);
            }
            default -> {
                Path file = csvFile(spec);
                if (spec.toLowerCase().endsWith(".csv") || Files.isRegularFile(file)) {
                    return new Opened(spec, CsvDataset.load(file, CsvOptions.defaults()), null);
                }
                throw new DataException("unknown data set '" + spec + "'; known: " + String.join(", ", KNOWN));
            }
        }
    }

    /**
     * The fixed train/test split of a recommender data set: {@code ffq} (explicit ratings, {@link FoodFrequency}) or
     * {@code supermarket} (implicit feedback, {@link Supermarket}); a spec's {@code :train}/{@code :test} is ignored.
     * Null for a name that is not one.
     */
    public static Interactions.Parts interactions(String spec, Path dataDir) {
        int colon = spec.indexOf(':');
        return switch (colon < 0 ? spec : spec.substring(0, colon)) {
            case "ffq" -> FoodFrequency.split(dataDir);
            case "supermarket" -> Supermarket.split(dataDir);
            default -> null;
        };
    }

    /**
     * The smallest test value that counts as relevant for a recommender data set's top-k metrics: {@code ffq} ratings of
     * {@link FoodFrequency#RELEVANT_CODE} or more; every held-out purchase in {@code supermarket}.
     */
    public static float relevantAtLeast(String spec) {
        int colon = spec.indexOf(':');
        return switch (colon < 0 ? spec : spec.substring(0, colon)) {
            case "ffq" -> FoodFrequency.RELEVANT_CODE;
            case "supermarket" -> Float.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException("'" + spec + "' is not a recommender data set (ffq, supermarket)");
        };
    }

    /**
     * Opens {@code spec} as input for a saved model: the model's input {@code scaler} (its card's preprocessing, or
     * null) is applied, and a CSV file gets the model's {@code classNames} (or null). Named splits that come scaled
     * already (e.g. {@code boston:test}, by the scaler fitted on its training rows) are left as they are.
     */
    public static TensorDataset openFor(String spec, Path dataDir, List<String> classNames, Scaler scaler) {
        Path file = csvFile(spec);
        boolean csv = !spec.contains(":") || spec.toLowerCase().endsWith(".csv") || Files.isRegularFile(file);
        TensorDataset ds;
        if (csv) {
            CsvOptions options = CsvOptions.defaults();
            if (classNames != null) options = options.withClassNames(classNames);
            ds = CsvDataset.load(file, options);
        } else {
            Opened opened = open(spec, dataDir);
            if (opened.scaler() != null) return opened.dataset(); // scaled already with its own training statistics
            ds = opened.dataset();
        }
        if (scaler == null) return ds;
        Tensor x = scaler.transform(ds.x());
        return ds.labels() != null ? new TensorDataset(x, ds.labels(), ds.classNames()) : new TensorDataset(x, ds.targets());
    }

    /** A relative path is tried in the working directory, then under the Gradus home (for the examples' data). */
    private static Path csvFile(String spec) {
        Path file = Path.of(spec);
        if (Files.exists(file) || file.isAbsolute()) return file;
        Path found = DataHome.find(spec);
        return found != null ? found : file;
    }

    private static String checkSplit(String spec, String split) {
        if (!split.equals("train") && !split.equals("test")) {
            throw new DataException("data set '" + spec + "' needs a split, :train or :test; known: " + String.join(", ", KNOWN));
        }
        return split;
    }
}
