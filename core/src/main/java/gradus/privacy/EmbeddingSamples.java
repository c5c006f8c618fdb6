package gradus.privacy;

import gradus.autograd.Context;
import gradus.autograd.IndexingOps;
import gradus.tensor.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-sample gradients of an embedding lookup: sample i's gradient has, in row v, the sum of the output
 * gradients at its positions that read id v (the padding id gets none). Its norm sums those rows' squares, so
 * the [B, num, dim] tensor is never formed; the clipped sum scatters each sample's scaled rows.
 */
final class EmbeddingSamples {
    private EmbeddingSamples() {}

    static void collect(IndexingOps.Embedding op, Context ctx, Tensor gradOutput, Set<Tensor> params, List<SampleGrad> out) {
        Tensor w = ctx.in(0);
        if (!params.contains(w)) return;
        int[] ids = op.ids().data();
        int batch = op.ids().dim() == 0 ? 1 : op.ids().size(0);
        out.add(new Rows(w, batch, batch == 0 ? 0 : ids.length / batch, ids, op.paddingIdx(), gradOutput.contiguousData()));
    }

    static final class Rows extends SampleGrad {
        private final int steps, dim, padding;
        private final int[] ids;
        private final float[] g;

        Rows(Tensor w, int batch, int steps, int[] ids, int padding, float[] g) {
            super(w, batch);
            this.steps = steps;
            this.dim = w.size(1);
            this.ids = ids;
            this.padding = padding;
            this.g = g;
        }

        @Override
        double[] squaredNorms() {
            double[] norms = new double[batch];
            for (int i = 0; i < batch; i++) {
                Map<Integer, double[]> rows = new HashMap<>();
                for (int t = i * steps; t < (i + 1) * steps; t++) {
                    if (ids[t] == padding) continue;
                    double[] row = rows.computeIfAbsent(ids[t], v -> new double[dim]);
                    for (int k = 0; k < dim; k++) row[k] += g[t * dim + k];
                }
                double s = 0;
                for (double[] row : rows.values()) for (double v : row) s += v * v;
                norms[i] = s;
            }
            return norms;
        }

        @Override
        float[] weightedSum(float[] scale) {
            float[] sum = new float[param.numel()];
            for (int t = 0; t < batch * steps; t++) {
                if (ids[t] == padding) continue;
                float s = scale[t / steps];
                for (int k = 0; k < dim; k++) sum[ids[t] * dim + k] += s * g[t * dim + k];
            }
            return sum;
        }

        @Override
        float[] perSample() {
            int n = param.numel();
            float[] per = new float[batch * n];
            for (int t = 0; t < batch * steps; t++) {
                if (ids[t] == padding) continue;
                int base = (t / steps) * n + ids[t] * dim;
                for (int k = 0; k < dim; k++) per[base + k] += g[t * dim + k];
            }
            return per;
        }
    }
}
