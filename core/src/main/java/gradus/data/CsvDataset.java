package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads a CSV file with a header row into a {@link TensorDataset}: numeric feature columns become
 * {@code x [N, F]} (with the column names as feature names), the label column becomes class labels
 * or {@code targets [N, 1]}.
 * <p>Class labels: non-negative integers are used as class indices directly (names "0".."max"), so
 * every file of a data set maps them alike; other labels (strings, negative numbers) are sorted and
 * numbered, unless {@link CsvOptions#withClassNames} fixes the classes. When the task is not given,
 * a label column of integers or of non-numbers means classification, any fractional number regression.
 * <p>Errors name the file, line and column: non-numeric or empty cells, ragged rows, unknown columns.
 */
public final class CsvDataset {
    private CsvDataset() {}

    public static TensorDataset load(Path file, CsvOptions options) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(new CsvReader(in, options.delimiter(), file.toString()), file.toString(), options);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e, e);
        } catch (UncheckedIOException e) {
            throw new DataException(file + ": cannot read: " + e.getCause(), e.getCause());
        }
    }

    private static TensorDataset parse(CsvReader reader, String file, CsvOptions options) throws IOException {
        CsvReader.Row header = reader.next();
        if (header == null) throw new DataException(file + ": empty file, expected a header row");
        List<String> columns = header.fields().stream().map(String::strip).toList();
        if (columns.size() < 2) {
            throw new DataException(file + ":" + header.line() + ": header has " + columns.size()
                    + " column; need at least one feature and a label (is the delimiter '" + options.delimiter() + "'?)");
        }
        Map<String, Integer> byName = columnIndex(columns, file, header.line());
        int labelCol = options.labelColumn() == null ? columns.size() - 1 : column(byName, columns, options.labelColumn(), file, header.line());
        List<String> featureNames = new ArrayList<>(options.features());
        if (featureNames.isEmpty()) {
            for (int c = 0; c < columns.size(); c++) if (c != labelCol) featureNames.add(columns.get(c));
        }
        int[] featureCols = new int[featureNames.size()];
        for (int i = 0; i < featureCols.length; i++) {
            featureCols[i] = column(byName, columns, featureNames.get(i), file, header.line());
            if (featureCols[i] == labelCol) {
                throw new DataException(file + ": column '" + columns.get(labelCol) + "' is both the label and a feature");
            }
        }

        int f = featureCols.length;
        float[] x = new float[f]; // grows with the rows read, so memory follows the file's size
        List<String> labels = new ArrayList<>();
        List<Integer> labelLines = new ArrayList<>();
        int n = 0;
        for (CsvReader.Row row; (row = reader.next()) != null; n++) {
            List<String> cells = row.fields();
            if (cells.size() != columns.size()) {
                throw new DataException(file + ":" + row.line() + ": row has " + cells.size() + " values, the header has " + columns.size());
            }
            if ((long) (n + 1) * f > x.length) x = grow(x, (long) (n + 1) * f, file, row.line(), f);
            for (int i = 0; i < f; i++) {
                x[n * f + i] = number(cells.get(featureCols[i]), file, row.line(), featureCols[i], columns);
            }
            labels.add(cells.get(labelCol).strip());
            labelLines.add(row.line());
        }
        if (n == 0) throw new DataException(file + ": no data rows after the header");
        Tensor features = Tensor.of(Arrays.copyOf(x, n * f), n, f);

        CsvOptions.Task task = options.task() != null ? options.task() : inferTask(labels);
        if (task == CsvOptions.Task.REGRESSION) {
            float[] t = new float[n];
            for (int i = 0; i < n; i++) t[i] = number(labels.get(i), file, labelLines.get(i), labelCol, columns);
            return new TensorDataset(features, Tensor.of(t, n, 1)).withFeatureNames(featureNames);
        }
        int[] y = new int[n];
        List<String> classNames = options.classNames();
        if (classNames.isEmpty() && labels.stream().allMatch(CsvDataset::isNatural)) {
            int max = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, y[i] = Integer.parseInt(labels.get(i)));
            String[] names = new String[max + 1];
            Arrays.setAll(names, Integer::toString);
            classNames = List.of(names);
        } else {
            if (classNames.isEmpty()) classNames = List.copyOf(new TreeSet<>(labels));
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < classNames.size(); i++) index.put(classNames.get(i), i);
            for (int i = 0; i < n; i++) {
                Integer k = index.get(labels.get(i));
                if (k == null) {
                    throw new DataException(where(file, labelLines.get(i), labelCol, columns) + ": label '" + labels.get(i)
                            + "' is not one of the classes " + classNames);
                }
                y[i] = k;
            }
        }
        return new TensorDataset(features, IntTensor.of(y), classNames).withFeatureNames(featureNames);
    }

    /** Column positions by name, for lookups in constant time; a name given twice would make them ambiguous. */
    private static Map<String, Integer> columnIndex(List<String> columns, String file, int line) {
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            Integer before = index.putIfAbsent(columns.get(c), c);
            if (before != null) {
                throw new DataException(file + ":" + line + ": column '" + columns.get(c) + "' appears twice in the header (columns "
                        + (before + 1) + " and " + (c + 1) + ")");
            }
        }
        return index;
    }

    private static int column(Map<String, Integer> byName, List<String> columns, String name, String file, int line) {
        Integer c = byName.get(name);
        if (c == null) throw new DataException(file + ":" + line + ": no column '" + name + "' in the header " + abbreviated(columns));
        return c;
    }

    /** The header for an error message, cut after the first columns when it is long. */
    private static String abbreviated(List<String> columns) {
        int shown = 20;
        if (columns.size() <= shown) return columns.toString();
        return columns.subList(0, shown).toString().replaceFirst("]$", ", … (" + columns.size() + " columns)]");
    }

    /** The feature buffer enlarged to hold at least {@code needed} values; a tensor holds at most 2^31-1. */
    private static float[] grow(float[] x, long needed, String file, int line, int features) {
        long limit = Integer.MAX_VALUE - 8;
        if (needed > limit) {
            throw new DataException(file + ":" + line + ": too many values: " + (needed / features) + " rows of " + features
                    + " features exceed the " + limit + " a tensor can hold");
        }
        return Arrays.copyOf(x, (int) Math.min(limit, Math.max(needed, 2L * x.length)));
    }

    private static float number(String cell, String file, int line, int col, List<String> columns) {
        String s = cell.strip();
        if (s.isEmpty()) throw new DataException(where(file, line, col, columns) + ": empty value, expected a number");
        float v;
        try {
            v = Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new DataException(where(file, line, col, columns) + ": '" + s + "' is not a number");
        }
        if (!Float.isFinite(v)) throw new DataException(where(file, line, col, columns) + ": '" + s + "' is not a finite number");
        return v;
    }

    private static String where(String file, int line, int col, List<String> columns) {
        return file + ":" + line + ": column " + (col + 1) + " ('" + columns.get(col) + "')";
    }

    /** Regression when some label is a number written with a fraction or exponent; else classification. */
    private static CsvOptions.Task inferTask(List<String> labels) {
        for (String s : labels) {
            if (isInteger(s)) continue;
            try {
                Double.parseDouble(s);
                return CsvOptions.Task.REGRESSION;
            } catch (NumberFormatException e) {
                // a text label: keep looking, a fractional number elsewhere still means regression
            }
        }
        return CsvOptions.Task.CLASSIFICATION;
    }

    private static boolean isInteger(String s) {
        int start = s.startsWith("-") ? 1 : 0;
        if (s.length() == start || s.length() > 10) return false;
        for (int i = start; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** A label usable directly as a class index. */
    private static boolean isNatural(String s) {
        return isInteger(s) && !s.startsWith("-") && Long.parseLong(s) <= 100_000;
    }
}
