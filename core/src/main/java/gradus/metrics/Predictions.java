package gradus.metrics;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/** Turns model outputs into predicted classes: argmax over the last dimension, or logit > 0 for a single logit. */
final class Predictions {
    private Predictions() {}

    /** True when the output holds one logit per example ({@code [N]} or {@code [N, 1]}): a binary classifier. */
    static boolean isBinary(Tensor output) {
        return output.dim() <= 1 || output.size(-1) == 1;
    }

    /** One predicted class per row of {@code output} ({@code [..., C]}); rows are all dimensions but the last. */
    static int[] classes(Tensor output) {
        return classes(output, 0f);
    }

    /** As {@link #classes(Tensor)}; a single output predicts class 1 above {@code threshold} (0 for logits, 0.5 for probabilities). */
    static int[] classes(Tensor output, float threshold) {
        float[] d = output.contiguousData();
        if (isBinary(output)) {
            int[] out = new int[d.length];
            for (int i = 0; i < d.length; i++) out[i] = d[i] > threshold ? 1 : 0;
            return out;
        }
        int c = output.size(-1);
        int rows = d.length / c;
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int base = r * c, best = 0;
            float bv = d[base];
            for (int j = 1; j < c; j++) {
                if (d[base + j] > bv) {
                    bv = d[base + j];
                    best = j;
                }
            }
            out[r] = best;
        }
        return out;
    }

    static void checkRows(String what, Tensor output, int rows, int labels) {
        if (rows != labels) {
            throw new IllegalArgumentException(what + ": output of shape " + Shape.str(output.shape()) + " gives " + rows
                    + " predictions but there are " + labels + " labels");
        }
    }
}
