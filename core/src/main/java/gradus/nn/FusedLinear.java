package gradus.nn;

import gradus.kernels.Gemm;
import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * x·Wᵀ + b over the last dimension of x [..., in] as a single autograd operation: all leading
 * dimensions flattened into the rows of one GEMM, the bias written into the output before the
 * product (beta = 1), and a backward of two GEMMs and one column sum, instead of a batched matmul
 * per leading index plus a broadcast add.
 */
public final class FusedLinear {
    private FusedLinear() {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) throw new IllegalArgumentException("linear weight must be [out, in], got " + Shape.str(weight.shape()));
        int out = weight.size(0), in = weight.size(1);
        if (x.dim() < 1 || x.size(-1) != in) {
            throw new IllegalArgumentException("linear with weight " + Shape.str(weight.shape()) + " needs input [..., " + in + "], got " + Shape.str(x.shape()));
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("linear bias must be [" + out + "], got " + Shape.str(bias.shape()));
        }
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        int rows = x.numel() / in;
        float[] y = new float[rows * out];
        if (bc != null) {
            float[] b = bc.data();
            int bo = bc.offset();
            Parallel.forRange(rows, Math.max(1, 16384 / out), (r0, r1) -> {
                for (int r = r0; r < r1; r++) System.arraycopy(b, bo, y, r * out, out);
            });
        }
        Gemm.sgemm(false, true, rows, out, in, 1f, xc.data(), xc.offset(), in, wc.data(), wc.offset(), in,
                bc == null ? 0f : 1f, y, 0, out);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        int[] xs = x.shape();
        return Tensor.record(Tensor.of(y, shape), "linear", g -> {
            Tensor gc = g.contiguous();
            float[] gv = gc.data();
            int go = gc.offset();
            float[] gx = null, gw = null, gb = null;
            if (xc.requiresGrad()) {
                gx = new float[rows * in];
                Gemm.sgemm(false, false, rows, in, out, 1f, gv, go, out, wc.data(), wc.offset(), in, 0f, gx, 0, in);
            }
            if (wc.requiresGrad()) {
                gw = new float[out * in];
                Gemm.sgemm(true, false, out, in, rows, 1f, gv, go, out, xc.data(), xc.offset(), in, 0f, gw, 0, in);
            }
            if (bc != null && bc.requiresGrad()) gb = columnSums(gv, go, rows, out);
            return new Tensor[]{gx == null ? null : Tensor.of(gx, xs), gw == null ? null : Tensor.of(gw, out, in),
                    gb == null ? null : Tensor.of(gb, out)};
        }, xc, wc, bc);
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
