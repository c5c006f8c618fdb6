package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Occlusion (Zeiler and Fergus 2014): slide a window over the input, fill it with a baseline value and record
 * how much the target output drops, f(x) − f(x occluded). Each element's attribution is the mean drop over the
 * windows that cover it (as Captum's Occlusion). Windows start every stride along each dimension, the last one
 * may hang over the edge. Needs no gradients: works for any model. Occluded copies run in batches.
 */
public final class Occlusion {
    private Occlusion() {}

    /**
     * @param window  window size per example dimension (e.g. {1, 4, 4} for [C, H, W])
     * @param strides step per example dimension
     */
    public static Tensor attribute(UnaryOperator<Tensor> model, Tensor batch, int target, int[] window, int[] strides,
                                   float baseline, int batchSize) {
        int[] shape = batch.shape();
        int dims = shape.length - 1;
        if (window.length != dims || strides.length != dims) {
            throw new IllegalArgumentException("occlusion window " + Shape.str(window) + " and strides " + Shape.str(strides)
                    + " need one size per example dimension of inputs " + Shape.str(shape));
        }
        int[] counts = new int[dims];
        int windows = 1;
        for (int d = 0; d < dims; d++) {
            if (window[d] < 1 || window[d] > shape[d + 1] || strides[d] < 1) {
                throw new IllegalArgumentException("occlusion window " + Shape.str(window) + " / strides " + Shape.str(strides)
                        + " do not fit example shape " + Shape.str(java.util.Arrays.copyOfRange(shape, 1, shape.length)));
            }
            counts[d] = (int) Math.ceil((double) (shape[d + 1] - window[d]) / strides[d]) + 1;
            windows *= counts[d];
        }
        int features = Shape.numel(shape) / shape[0];
        int[] exampleShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        int[] strideOf = Shape.contiguousStrides(exampleShape);
        List<Tensor> rows = new ArrayList<>();
        try (var g = GradMode.noGrad()) {
            for (int i = 0; i < shape[0]; i++) {
                float[] x = batch.narrow(0, i, 1).toArray();
                double fx = Outputs.column(model.apply(Tensor.of(x, with1(exampleShape))), 1, target).item();
                double[] total = new double[features];
                int[] covered = new int[features];
                for (int start = 0; start < windows; start += batchSize) {
                    int m = Math.min(batchSize, windows - start);
                    float[] occluded = new float[m * features];
                    List<int[]> cells = new ArrayList<>();
                    for (int k = 0; k < m; k++) {
                        System.arraycopy(x, 0, occluded, k * features, features);
                        int[] cell = cellsOf(start + k, counts, window, strides, exampleShape, strideOf);
                        for (int c : cell) occluded[k * features + c] = baseline;
                        cells.add(cell);
                    }
                    int[] bShape = with1(exampleShape);
                    bShape[0] = m;
                    float[] f = Outputs.column(model.apply(Tensor.of(occluded, bShape)), m, target).toArray();
                    for (int k = 0; k < m; k++) {
                        for (int c : cells.get(k)) {
                            total[c] += fx - f[k];
                            covered[c]++;
                        }
                    }
                }
                float[] attr = new float[features];
                for (int c = 0; c < features; c++) attr[c] = covered[c] == 0 ? 0f : (float) (total[c] / covered[c]);
                rows.add(Tensor.of(attr, with1(exampleShape)));
            }
        }
        return Tensor.concat(rows, 0);
    }

    private static int[] with1(int[] exampleShape) {
        int[] s = new int[exampleShape.length + 1];
        s[0] = 1;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return s;
    }

    /** Flat offsets of the elements that window number {@code w} covers (clipped at the edges). */
    private static int[] cellsOf(int w, int[] counts, int[] window, int[] strides, int[] shape, int[] strideOf) {
        int dims = shape.length;
        int[] lo = new int[dims], hi = new int[dims];
        int n = 1;
        for (int d = dims - 1; d >= 0; d--) {
            int k = w % counts[d];
            w /= counts[d];
            lo[d] = k * strides[d];
            hi[d] = Math.min(shape[d], lo[d] + window[d]);
        }
        for (int d = 0; d < dims; d++) n *= hi[d] - lo[d];
        int[] out = new int[n];
        int[] ix = lo.clone();
        for (int j = 0; j < n; j++) {
            int off = 0;
            for (int d = 0; d < dims; d++) off += ix[d] * strideOf[d];
            out[j] = off;
            for (int d = dims - 1; d >= 0; d--) {
                if (++ix[d] < hi[d]) break;
                ix[d] = lo[d];
            }
        }
        return out;
    }
}
