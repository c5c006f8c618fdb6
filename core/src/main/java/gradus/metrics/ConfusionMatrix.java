package gradus.metrics;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/** Counts of (actual, predicted) class pairs; row = actual class, column = predicted class. */
public final class ConfusionMatrix {
    private static final int MAX_NAME = 12;
    private final List<String> classNames;
    private final long[] counts; // row-major [actual][predicted]
    private final int n;

    /** Classes named "0", "1", …. */
    public ConfusionMatrix(int numClasses) {
        this(defaultNames(numClasses));
    }

    public ConfusionMatrix(List<String> classNames) {
        if (classNames.isEmpty()) throw new IllegalArgumentException("a confusion matrix needs at least one class");
        if (new HashSet<>(classNames).size() != classNames.size()) throw new IllegalArgumentException("duplicate class names in " + classNames);
        this.classNames = List.copyOf(classNames);
        this.n = classNames.size();
        this.counts = new long[n * n];
    }

    private static List<String> defaultNames(int numClasses) {
        if (numClasses <= 0) throw new IllegalArgumentException("a confusion matrix needs at least one class, got " + numClasses);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < numClasses; i++) names.add(Integer.toString(i));
        return names;
    }

    public int numClasses() {
        return n;
    }

    public List<String> classNames() {
        return classNames;
    }

    public void add(int predicted, int actual) {
        check(predicted, "predicted", -1);
        check(actual, "actual", -1);
        counts[actual * n + predicted]++;
    }

    public void add(int[] predicted, int[] actual) {
        if (predicted.length != actual.length) {
            throw new IllegalArgumentException(predicted.length + " predictions but " + actual.length + " actual labels");
        }
        for (int i = 0; i < predicted.length; i++) {
            check(predicted[i], "predicted", i);
            check(actual[i], "actual", i);
        }
        for (int i = 0; i < predicted.length; i++) counts[actual[i] * n + predicted[i]]++;
    }

    /** Adds a batch of model outputs ({@code [..., C]} logits, or one logit per example for 2 classes) against labels. */
    public void add(Tensor output, IntTensor labels) {
        int columns = Predictions.isBinary(output) ? 2 : output.size(-1);
        if (columns != n) {
            throw new IllegalArgumentException("output with " + columns + " classes does not fit a confusion matrix of " + n + " classes");
        }
        int[] predicted = Predictions.classes(output);
        Predictions.checkRows("confusion matrix", output, predicted.length, labels.numel());
        add(predicted, labels.data());
    }

    private void check(int cls, String what, int index) {
        if (cls < 0 || cls >= n) {
            throw new IndexOutOfBoundsException(what + " class " + cls + (index >= 0 ? " at index " + index : "")
                    + " is out of range for " + n + " classes");
        }
    }

    public long count(int actual, int predicted) {
        return counts[actual * n + predicted];
    }

    /** A copy of the counts, {@code [actual][predicted]}. */
    public long[][] counts() {
        long[][] out = new long[n][n];
        for (int a = 0; a < n; a++) System.arraycopy(counts, a * n, out[a], 0, n);
        return out;
    }

    /** Examples whose actual class is {@code cls}. */
    public long support(int cls) {
        long s = 0;
        for (int p = 0; p < n; p++) s += counts[cls * n + p];
        return s;
    }

    /** Examples predicted as {@code cls}. */
    public long predictedCount(int cls) {
        long s = 0;
        for (int a = 0; a < n; a++) s += counts[a * n + cls];
        return s;
    }

    public long total() {
        long s = 0;
        for (long c : counts) s += c;
        return s;
    }

    public long correct() {
        long s = 0;
        for (int i = 0; i < n; i++) s += counts[i * n + i];
        return s;
    }

    /** Fraction of examples on the diagonal; 0 when empty. */
    public double accuracy() {
        long t = total();
        return t == 0 ? 0 : (double) correct() / t;
    }

    public void reset() {
        Arrays.fill(counts, 0);
    }

    /** The table as aligned text: rows are actual classes, columns predicted ones; long names are shortened. */
    public String render() {
        String corner = "actual \\ predicted";
        List<String> names = classNames.stream().map(ConfusionMatrix::shorten).toList();
        int nameWidth = corner.length();
        for (String s : names) nameWidth = Math.max(nameWidth, s.length());
        int[] widths = new int[n];
        for (int p = 0; p < n; p++) {
            widths[p] = names.get(p).length();
            for (int a = 0; a < n; a++) widths[p] = Math.max(widths[p], Long.toString(count(a, p)).length());
        }
        StringBuilder sb = new StringBuilder(pad(corner, nameWidth, false));
        for (int p = 0; p < n; p++) sb.append("  ").append(pad(names.get(p), widths[p], true));
        sb.append('\n');
        for (int a = 0; a < n; a++) {
            sb.append(pad(names.get(a), nameWidth, false));
            for (int p = 0; p < n; p++) sb.append("  ").append(pad(Long.toString(count(a, p)), widths[p], true));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String shorten(String name) {
        return name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME - 1) + "…";
    }

    private static String pad(String s, int width, boolean right) {
        return String.format(Locale.ROOT, "%" + (right ? "" : "-") + width + "s", s);
    }

    @Override
    public String toString() {
        return render();
    }
}
