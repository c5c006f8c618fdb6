package gradus.data.datasets;

import gradus.data.CsvDataset;
import gradus.data.CsvOptions;
import gradus.data.DataException;
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
     * Opens {@code spec} as input for a saved model: the input scaling recorded in its config.json
     * ({@code preprocessing}) is applied, and a CSV file gets the model's class names. Named splits
     * that come scaled already (e.g. {@code boston:test}, by the scaler fitted on its training rows) are left as they are.
     */
    public static TensorDataset openFor(String spec, Path dataDir, Map<String, Object> modelConfig) {
        Path file = csvFile(spec);
        boolean csv = !spec.contains(":") || spec.toLowerCase().endsWith(".csv") || Files.isRegularFile(file);
        TensorDataset ds;
        if (csv) {
            CsvOptions options = CsvOptions.defaults();
            if (modelConfig.get("class_names") instanceof List<?> names) {
                options = options.withClassNames(names.stream().map(String::valueOf).toList());
            }
            ds = CsvDataset.load(file, options);
        } else {
            Opened opened = open(spec, dataDir);
            if (opened.scaler() != null) return opened.dataset(); // scaled already with its own training statistics
            ds = opened.dataset();
        }
        Scaler scaler = scaler(modelConfig);
        if (scaler == null) return ds;
        Tensor x = scaler.transform(ds.x());
        return ds.labels() != null ? new TensorDataset(x, ds.labels(), ds.classNames()) : new TensorDataset(x, ds.targets());
    }

    /** Applies the model's recorded input scaling (if any) to one example or a batch of examples. */
    public static Tensor preprocess(Tensor x, Map<String, Object> modelConfig) {
        Scaler scaler = scaler(modelConfig);
        if (scaler == null) return x;
        return scaler.transform(x.unsqueeze(0)).squeeze(0);
    }

    /** The scaler's state as plain JSON values, for config.json; keys sorted, so equal scalers give equal bytes in every run. */
    public static Map<String, Object> toJson(Scaler scaler) {
        Map<String, Object> out = new java.util.TreeMap<>();
        scaler.state().forEach((k, v) -> out.put(k, v instanceof Tensor t ? toList(t.toArray()) : v));
        return out;
    }

    /** The input scaler a model's config.json records under {@code preprocessing.scaler}, or null when it records none. */
    @SuppressWarnings("unchecked")
    public static Scaler scaler(Map<String, Object> modelConfig) {
        if (!(modelConfig.get("preprocessing") instanceof Map<?, ?> p) || !(p.get("scaler") instanceof Map<?, ?> json)) return null;
        Map<String, Object> state = new LinkedHashMap<>();
        ((Map<String, Object>) json).forEach((k, v) -> {
            if (v instanceof List<?> list) {
                float[] f = new float[list.size()];
                for (int i = 0; i < f.length; i++) f[i] = ((Number) list.get(i)).floatValue();
                state.put(k, Tensor.of(f));
            } else {
                state.put(k, v);
            }
        });
        return Scaler.fromState(state);
    }

    private static List<Float> toList(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) out.add(v);
        return out;
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
