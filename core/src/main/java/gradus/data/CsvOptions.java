package gradus.data;

import java.util.List;

/**
 * How to read a CSV file into a dataset: which column holds the label or target, whether it is a
 * classification or a regression, the delimiter, and optionally which columns are the features
 * and the fixed list of class names.
 *
 * @param labelColumn the header name of the label/target column; null for the last column
 * @param task        classification, regression, or null to infer it (see {@link CsvDataset})
 * @param delimiter   the field separator, {@code ','} by default
 * @param features    the feature columns in order; empty for every column except the label
 * @param classNames  the classes in index order, so that train and test files map labels alike;
 *                    empty to derive them from the file
 */
public record CsvOptions(String labelColumn, Task task, char delimiter, List<String> features, List<String> classNames) {
    public enum Task { CLASSIFICATION, REGRESSION }

    public CsvOptions {
        features = List.copyOf(features);
        classNames = List.copyOf(classNames);
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("a CSV delimiter cannot be a quote or a line break");
        }
        if (!classNames.isEmpty() && task == Task.REGRESSION) {
            throw new IllegalArgumentException("class names given for a regression target '" + labelColumn + "'");
        }
    }

    /** Label in the last column, task inferred from its values. */
    public static CsvOptions defaults() {
        return new CsvOptions(null, null, ',', List.of(), List.of());
    }

    /** Class labels (integers or strings) in {@code labelColumn}. */
    public static CsvOptions classification(String labelColumn) {
        return new CsvOptions(labelColumn, Task.CLASSIFICATION, ',', List.of(), List.of());
    }

    /** Float targets in {@code targetColumn}. */
    public static CsvOptions regression(String targetColumn) {
        return new CsvOptions(targetColumn, Task.REGRESSION, ',', List.of(), List.of());
    }

    public CsvOptions withDelimiter(char delimiter) {
        return new CsvOptions(labelColumn, task, delimiter, features, classNames);
    }

    public CsvOptions withFeatures(List<String> features) {
        return new CsvOptions(labelColumn, task, delimiter, features, classNames);
    }

    /** Fixes the classes (e.g. to those of the training file); an unknown label is then an error. Implies classification. */
    public CsvOptions withClassNames(List<String> classNames) {
        return new CsvOptions(labelColumn, Task.CLASSIFICATION, delimiter, features, classNames);
    }
}
