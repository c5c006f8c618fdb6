package gradus.privacy;

import gradus.autograd.Context;
import gradus.autograd.LinalgOps;
import gradus.kernels.Gemm;
import gradus.kernels.Parallel;
import gradus.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * Per-sample gradients of the linear node y = x·Wᵀ + b with x [B, T…, in]: sample i's weight gradient is
 * G_iᵀA_i (its T rows of output gradient and input), its bias gradient the column sums of G_i. The weight's
 * norms come from the T×T Gram matrices, ‖G_iᵀA_i‖² = Σ (A_iA_iᵀ)∘(G_iG_iᵀ) (ghost clipping: for T = 1 simply
 * ‖g_i‖²·‖a_i‖²), unless [out, in] is smaller than T² (then G_iᵀA_i is formed); the clipped sum is one GEMM of
 * the row-scaled G with A, so the [B, out, in] per-sample weights are never stored.
 */
final class LinearSamples {
    private LinearSamples() {}

    static void collect(LinalgOps.Linear op, Context ctx, Tensor gradOutput, Set<Tensor> params, List<SampleGrad> out) {
        Tensor x = ctx.in(0);
        Tensor[] ag = op.rowsAndGradient(ctx, gradOutput);
        float[] a = ag[0].contiguousData(), g = ag[1].contiguousData();
        int rows = ag[0].size(0), in = ag[0].size(1), ld = ag[1].size(1);
        int batch = x.dim() >= 2 ? x.size(0) : 1, steps = batch == 0 ? 0 : rows / batch;
        for (int j = 0, col = 0; j < op.weights(); j++) {
            Tensor w = ctx.in(1 + j);
            int n = w.size(0);
            if (params.contains(w)) out.add(new Weight(w, batch, steps, a, in, g, ld, col, n));
            if (op.bias() && params.contains(ctx.in(1 + op.weights() + j))) {
                out.add(bias(ctx.in(1 + op.weights() + j), batch, steps, g, ld, col, n));
            }
            col += n;
        }
    }

    /** Sample i's bias gradient: Σ over its T rows of g[:, col .. col+n). */
    static SampleGrad bias(Tensor b, int batch, int steps, float[] g, int ld, int col, int n) {
        float[] per = new float[batch * n];
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < steps; t++) {
                int r = (i * steps + t) * ld + col;
                for (int k = 0; k < n; k++) per[i * n + k] += g[r + k];
            }
        }
        return new SampleGrad.Materialized(b, batch, per);
    }

    /** A weight's per-sample gradients as the inputs A [B·T, in] and the output gradient's columns G [B·T, n]. */
    static final class Weight extends SampleGrad {
        private final int steps, in, ld, col, n;
        private final float[] a, g;

        Weight(Tensor w, int batch, int steps, float[] a, int in, float[] g, int ld, int col, int n) {
            super(w, batch);
            this.steps = steps;
            this.a = a;
            this.in = in;
            this.g = g;
            this.ld = ld;
            this.col = col;
            this.n = n;
        }

        /** Whether the Gram matrices (T² per sample) are cheaper than the gradient itself (n·in per sample). */
        boolean ghost() {
            return 2L * steps * steps <= (long) n * in;
        }

        @Override
        double[] squaredNorms() {
            double[] norms = new double[batch];
            if (ghost()) {
                Parallel.forRange(batch, Math.max(1, 4096 / Math.max(1, steps * steps * (in + n))), (i0, i1) -> {
                    for (int i = i0; i < i1; i++) {
                        double s = 0;
                        for (int t = 0; t < steps; t++) {
                            int rt = i * steps + t;
                            double aa = Sums.dot(a, rt * in, a, rt * in, in), gg = Sums.dot(g, rt * ld + col, g, rt * ld + col, n);
                            s += aa * gg;
                            for (int u = 0; u < t; u++) { // the Gram matrices are symmetric: off-diagonal terms twice
                                int ru = i * steps + u;
                                s += 2 * Sums.dot(a, rt * in, a, ru * in, in) * Sums.dot(g, rt * ld + col, g, ru * ld + col, n);
                            }
                        }
                        norms[i] = s;
                    }
                });
            } else {
                Parallel.forRange(batch, 1, (i0, i1) -> {
                    float[] gw = new float[n * in];
                    for (int i = i0; i < i1; i++) {
                        sampleGradient(i, gw, 0);
                        norms[i] = Sums.squares(gw, 0, gw.length);
                    }
                });
            }
            return norms;
        }

        /** G_iᵀA_i into {@code dst[off ..]} as [n, in]. */
        private void sampleGradient(int i, float[] dst, int off) {
            int r0 = i * steps;
            Gemm.sgemm(true, false, n, in, steps, 1f, g, r0 * ld + col, ld, a, r0 * in, in, 0f, dst, off, in);
        }

        @Override
        float[] weightedSum(float[] scale) {
            float[] gs = new float[batch * steps * n];
            for (int r = 0; r < batch * steps; r++) {
                float s = scale[r / steps];
                for (int k = 0; k < n; k++) gs[r * n + k] = s * g[r * ld + col + k];
            }
            float[] sum = new float[n * in];
            Gemm.sgemm(true, false, n, in, batch * steps, 1f, gs, 0, n, a, 0, in, 0f, sum, 0, in);
            return sum;
        }

        @Override
        float[] perSample() {
            float[] per = new float[batch * n * in];
            Parallel.forRange(batch, 1, (i0, i1) -> {
                for (int i = i0; i < i1; i++) sampleGradient(i, per, i * n * in);
            });
            return per;
        }
    }
}
