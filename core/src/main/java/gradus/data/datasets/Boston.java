package gradus.data.datasets;

import gradus.data.CsvDataset;
import gradus.data.CsvOptions;
import gradus.data.DataException;
import gradus.data.Split;
import gradus.data.StandardScaler;
import gradus.data.TensorDataset;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Boston house prices regression set (Harrison and Rubinfeld, 1978): 506 towns, 13 features,
 * target {@code medv} (median home value in $1000s), shipped as {@value #CSV}.
 */
public final class Boston {
    /** The CSV's location relative to the Gradus directory (see {@link DataHome}). */
    public static final String CSV = "data/boston/boston.csv";
    public static final String TARGET = "medv";
    /** The fixed split: this fraction of the rows, drawn with this seed, is for training. */
    public static final double TRAIN_FRACTION = 0.8;
    public static final long SPLIT_SEED = 42;

    private Boston() {}

    /** All 506 rows, unscaled: {@code x [506, 13]}, {@code targets [506, 1]}. From boston.csv in {@code dataDir} when given (null: the repository's copy). */
    public static TensorDataset load(Path dataDir) {
        DataHome.requireGiven(dataDir);
        if (dataDir != null && !Files.isRegularFile(dataDir.resolve("boston.csv"))) {
            throw new DataException("Boston house prices not found: expected boston.csv in the given data directory " + dataDir);
        }
        Path file = dataDir != null ? dataDir.resolve("boston.csv") : DataHome.find(CSV);
        if (file == null) {
            throw new DataException("Boston house prices not found: " + DataHome.describe(CSV));
        }
        return CsvDataset.load(file, CsvOptions.regression(TARGET));
    }

    /**
     * The {@code "train"} or {@code "test"} part of the fixed seeded split, with features standardised
     * by a scaler fitted on the training part only (the same scaler for both parts).
     */
    public static Datasets.Opened open(String split, Path dataDir) {
        if (!split.equals("train") && !split.equals("test")) {
            throw new IllegalArgumentException("Boston split must be train or test, got '" + split + "'");
        }
        Split<TensorDataset> parts = Split.randomSplit(load(dataDir), TRAIN_FRACTION, SPLIT_SEED);
        StandardScaler scaler = new StandardScaler().fit(parts.first().x());
        TensorDataset part = split.equals("train") ? parts.first() : parts.second();
        TensorDataset scaled = new TensorDataset(scaler.transform(part.x()), part.targets()).withFeatureNames(part.featureNames());
        return new Datasets.Opened("boston:" + split, scaled, scaler);
    }
}
