package gradus.metrics;

import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/** Top-k accuracy: the label is among the k highest scores of its row. */
public final class TopK {
    private TopK() {}

    /** Fraction of rows of {@code logits} ({@code [..., C]}) whose label is in the top {@code k}; 0 for no rows. */
    public static double accuracy(Tensor logits, IntTensor labels, int k) {
        int rows = labels.numel();
        return rows == 0 ? 0 : (double) correct(logits, labels, k) / rows;
    }

    /**
     * Rows whose label ranks among the top {@code k}. Ties rank the lower class index first (a stable
     * descending sort, matching argmax), so top-1 agrees with argmax accuracy.
     */
    public static long correct(Tensor logits, IntTensor labels, int k) {
        if (logits.dim() < 1) throw new IllegalArgumentException("top-k accuracy needs logits of shape [..., classes], got a scalar");
        int c = logits.size(-1);
        if (k < 1 || k > c) throw new IllegalArgumentException("top-k needs 1 <= k <= " + c + " (classes in " + Shape.str(logits.shape()) + "), got k=" + k);
        float[] d = logits.contiguousData();
        int rows = d.length / Math.max(c, 1);
        Predictions.checkRows("top-" + k + " accuracy", logits, rows, labels.numel());
        int[] y = labels.data();
        long correct = 0;
        for (int r = 0; r < rows; r++) {
            int label = y[r];
            if (label < 0 || label >= c) throw new IndexOutOfBoundsException("label " + label + " at row " + r + " is out of range for " + c + " classes");
            int base = r * c;
            float v = d[base + label];
            if (Float.isNaN(v)) continue;
            int above = 0;
            for (int j = 0; j < c && above < k; j++) {
                float x = d[base + j];
                if (x > v || (x == v && j < label)) above++;
            }
            if (above < k) correct++;
        }
        return correct;
    }
}
