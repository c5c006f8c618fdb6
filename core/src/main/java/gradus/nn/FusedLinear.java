package gradus.nn;

import gradus.kernels.Gemm;
import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * x·Wᵀ + b over the last dimension of x [..., in] as a single autograd operation: all leading
 * dimensions flattened into the rows of one GEMM, the bias written into the output before the
 * product (beta = 1), and a backward of two GEMMs and one column sum, instead of a batched matmul
 * per leading index plus a broadcast add. {@link #stacked} runs several layers on the same input
 * (attention's q, k, v projections) as one product.
 */
public final class FusedLinear {
    private FusedLinear() {}

    /** x·Wᵀ + b; bias may be null. */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        return stacked(x, List.of(weight), bias == null ? null : List.of(bias));
    }

    /**
     * The outputs of several linear layers on x, side by side: [..., Σ out_i] = x·[W_1; W_2; …]ᵀ + [b_1, b_2, …].
     * {@code biases} is null, or one per weight.
     */
    public static Tensor stacked(Tensor x, List<Tensor> weights, List<Tensor> biases) {
        int in = x.size(-1), total = 0;
        for (Tensor w : weights) {
            if (w.dim() != 2 || w.size(1) != in) {
                throw new IllegalArgumentException("linear with weight " + Shape.str(w.shape()) + " needs input [..., " + w.size(-1)
                        + "], got " + Shape.str(x.shape()));
            }
            total += w.size(0);
        }
        if (biases != null) {
            for (int i = 0; i < weights.size(); i++) {
                Tensor b = biases.get(i);
                if (b.dim() != 1 || b.size(0) != weights.get(i).size(0)) {
                    throw new IllegalArgumentException("linear bias must be [" + weights.get(i).size(0) + "], got " + Shape.str(b.shape()));
                }
            }
        }
        int out = total, rows = x.numel() / Math.max(1, in);
        Tensor xc = x.contiguous();
        List<Tensor> wc = weights.stream().map(Tensor::contiguous).toList();
        // One weight is used in place; several are copied into one [Σout, in] matrix (small next to the product).
        float[] w;
        int wo;
        if (wc.size() == 1) {
            w = wc.get(0).data();
            wo = wc.get(0).offset();
        } else {
            w = new float[out * in];
            wo = 0;
            int r = 0;
            for (Tensor t : wc) {
                System.arraycopy(t.data(), t.offset(), w, r * in, t.numel());
                r += t.size(0);
            }
        }
        float[] bias = null;
        if (biases != null) {
            bias = new float[out];
            int r = 0;
            for (Tensor b : biases) {
                System.arraycopy(b.toArray(), 0, bias, r, b.numel());
                r += b.numel();
            }
        }
        float[] y = new float[rows * out];
        if (bias != null) {
            float[] b = bias;
            Parallel.forRange(rows, Math.max(1, 16384 / out), (r0, r1) -> {
                for (int r = r0; r < r1; r++) System.arraycopy(b, 0, y, r * out, out);
            });
        }
        Gemm.sgemm(false, true, rows, out, in, 1f, xc.data(), xc.offset(), in, w, wo, in, bias == null ? 0f : 1f, y, 0, out);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        int[] xs = x.shape();
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(xc);
        inputs.addAll(wc);
        if (biases != null) inputs.addAll(biases);
        return Tensor.record(Tensor.of(y, shape), "linear", g -> {
            Tensor gc = g.contiguous();
            float[] gv = gc.data();
            int go = gc.offset();
            Tensor[] grads = new Tensor[inputs.size()];
            if (xc.requiresGrad()) {
                float[] gx = new float[rows * in];
                Gemm.sgemm(false, false, rows, in, out, 1f, gv, go, out, w, wo, in, 0f, gx, 0, in);
                grads[0] = Tensor.of(gx, xs);
            }
            if (wc.stream().anyMatch(Tensor::requiresGrad)) {
                float[] gw = new float[out * in];
                Gemm.sgemm(true, false, out, in, rows, 1f, gv, go, out, xc.data(), xc.offset(), in, 0f, gw, 0, in);
                int r = 0;
                for (int i = 0; i < wc.size(); i++) {
                    int n = wc.get(i).size(0);
                    grads[1 + i] = Tensor.of(wc.size() == 1 ? gw : Arrays.copyOfRange(gw, r * in, (r + n) * in), n, in);
                    r += n;
                }
            }
            if (biases != null && biases.stream().anyMatch(Tensor::requiresGrad)) {
                float[] gb = columnSums(gv, go, rows, out);
                int r = 0;
                for (int i = 0; i < biases.size(); i++) {
                    int n = biases.get(i).numel();
                    grads[1 + wc.size() + i] = Tensor.of(Arrays.copyOfRange(gb, r, r + n), n);
                    r += n;
                }
            }
            return grads;
        }, inputs.toArray(new Tensor[0]));
    }

    /** Σ over rows of a [rows, cols] array, summed in fixed row groups so the result does not depend on the thread count. */
    static float[] columnSums(float[] a, int off, int rows, int cols) {
        int groups = Math.min(rows, 16);
        float[][] partial = new float[groups][];
        Parallel.forRange(groups, 1, (q0, q1) -> {
            for (int q = q0; q < q1; q++) {
                float[] s = new float[cols];
                for (int r = (int) ((long) rows * q / groups), end = (int) ((long) rows * (q + 1) / groups); r < end; r++) {
                    VectorMath.add(s, 0, a, off + r * cols, s, 0, cols);
                }
                partial[q] = s;
            }
        });
        float[] sum = groups == 0 ? new float[cols] : Arrays.copyOf(partial[0], cols);
        for (int q = 1; q < groups; q++) VectorMath.add(sum, 0, partial[q], 0, sum, 0, cols);
        return sum;
    }
}
