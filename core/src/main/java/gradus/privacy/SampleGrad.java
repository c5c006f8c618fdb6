package gradus.privacy;

import gradus.kernels.Parallel;
import gradus.tensor.Tensor;

/**
 * One parameter's per-sample gradients from one op application, kept in the form its rule found cheapest:
 * DP-SGD asks for each sample's squared norm, then for the sum of the samples' gradients weighted by their
 * clipping factors, and only materializes them all ({@link #perSample}) when a parameter feeds several ops.
 */
abstract class SampleGrad {
    final Tensor param;
    final int batch;

    SampleGrad(Tensor param, int batch) {
        this.param = param;
        this.batch = batch;
    }

    /** ‖g_i‖² for every sample i. */
    abstract double[] squaredNorms();

    /** Σ_i scale_i·g_i, flat in the parameter's layout. */
    abstract float[] weightedSum(float[] scale);

    /** Every sample's gradient: [batch, numel] flat. */
    abstract float[] perSample();

    /** Per-sample gradients held as [batch, numel]. */
    static final class Materialized extends SampleGrad {
        private final float[] grads;

        Materialized(Tensor param, int batch, float[] grads) {
            super(param, batch);
            this.grads = grads;
        }

        @Override
        double[] squaredNorms() {
            int n = param.numel();
            double[] out = new double[batch];
            Parallel.forRange(batch, Math.max(1, 65536 / Math.max(1, n)), (i0, i1) -> {
                for (int i = i0; i < i1; i++) out[i] = Sums.squares(grads, i * n, n);
            });
            return out;
        }

        @Override
        float[] weightedSum(float[] scale) {
            int n = param.numel();
            float[] sum = new float[n];
            Parallel.forRange(n, 4096, (j0, j1) -> {
                for (int i = 0; i < batch; i++) {
                    float s = scale[i];
                    if (s == 0f) continue;
                    for (int j = j0, o = i * n + j0; j < j1; j++, o++) sum[j] += s * grads[o];
                }
            });
            return sum;
        }

        @Override
        float[] perSample() {
            return grads;
        }
    }

    /** Squared sums in double (norms of up to millions of values). */
    static final class Sums {
        private Sums() {}

        static double squares(float[] v, int off, int n) {
            double s = 0;
            for (int j = off, end = off + n; j < end; j++) s += (double) v[j] * v[j];
            return s;
        }

        static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
            double s = 0;
            for (int j = 0; j < n; j++) s += (double) a[aOff + j] * b[bOff + j];
            return s;
        }
    }
}
