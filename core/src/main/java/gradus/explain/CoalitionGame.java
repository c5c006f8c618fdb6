package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * A cooperative game over a model's features: the value of a coalition S (a mask, true = present) is the
 * model's output with the features in S taken from the explained input and the others "removed". Shapley
 * values split v(all) − v(none) among the features.
 */
@FunctionalInterface
public interface CoalitionGame {
    /** The value of each coalition, in one call (so a model can score them as one batch). */
    double[] values(boolean[][] coalitions);

    /**
     * Interventional removal for tabular inputs: v(S) = mean over background rows b of f(x_S, b_¬S), the model's
     * output {@code target}. x is one example [M], background [B, M] (e.g. a sample of the training data).
     */
    static CoalitionGame tabular(UnaryOperator<Tensor> model, Tensor x, Tensor background, int target) {
        float[] xv = x.toArray();
        int m = xv.length;
        if (background.dim() != 2 || background.size(1) != m) {
            throw new IllegalArgumentException("background of shape " + Shape.str(background.shape())
                    + " does not fit an input with " + m + " features: expected [rows, " + m + "]");
        }
        float[] bg = background.toArray();
        int rows = background.size(0);
        int chunk = Math.max(1, 8192 / rows);
        return coalitions -> {
            double[] out = new double[coalitions.length];
            try (var g = GradMode.noGrad()) {
                for (int start = 0; start < coalitions.length; start += chunk) {
                    int k = Math.min(chunk, coalitions.length - start);
                    float[] batch = new float[k * rows * m];
                    for (int c = 0; c < k; c++) {
                        boolean[] s = coalitions[start + c];
                        for (int r = 0; r < rows; r++) {
                            int base = (c * rows + r) * m;
                            for (int j = 0; j < m; j++) batch[base + j] = s[j] ? xv[j] : bg[r * m + j];
                        }
                    }
                    float[] f = Outputs.column(model.apply(Tensor.of(batch, k * rows, m)), k * rows, target).toArray();
                    for (int c = 0; c < k; c++) {
                        double sum = 0;
                        for (int r = 0; r < rows; r++) sum += f[c * rows + r];
                        out[start + c] = sum / rows;
                    }
                }
            }
            return out;
        };
    }

    /**
     * Features are groups of input elements (image cells, words): a removed group takes the values of
     * {@code baseline}. {@code groups[e]} is the feature of input element e (of one example, flattened).
     */
    static CoalitionGame masked(UnaryOperator<Tensor> model, Tensor x, Tensor baseline, int[] groups, int target) {
        float[] xv = x.toArray(), bv = baseline.toArray();
        if (bv.length != xv.length || groups.length != xv.length) {
            throw new IllegalArgumentException("input, baseline and feature groups differ in size: " + xv.length + ", "
                    + bv.length + ", " + groups.length);
        }
        int[] shape = x.shape();
        int n = xv.length;
        return coalitions -> {
            double[] out = new double[coalitions.length];
            try (var g = GradMode.noGrad()) {
                for (int start = 0; start < coalitions.length; start += 64) {
                    int k = Math.min(64, coalitions.length - start);
                    float[] batch = new float[k * n];
                    for (int c = 0; c < k; c++) {
                        boolean[] s = coalitions[start + c];
                        for (int e = 0; e < n; e++) batch[c * n + e] = s[groups[e]] ? xv[e] : bv[e];
                    }
                    int[] bShape = shape.clone();
                    bShape[0] = k;
                    float[] f = Outputs.column(model.apply(Tensor.of(batch, bShape)), k, target).toArray();
                    for (int c = 0; c < k; c++) out[start + c] = f[c];
                }
            }
            return out;
        };
    }
}
