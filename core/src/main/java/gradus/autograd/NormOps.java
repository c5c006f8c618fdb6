package gradus.autograd;

import gradus.kernels.LayerNormKernel;
import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/**
 * Batch and layer normalization as fused ops with hand-written gradients: composed from elementwise ops they
 * would allocate a dozen intermediates per call. Inputs: x, weight (or null), bias (or null).
 */
public final class NormOps {
    private NormOps() {}

    /**
     * Batch normalization of x [N, C, *] per channel. With batch statistics (training, or no running tensors) it
     * normalizes with the batch mean and biased variance and, when training with running tensors, moves them
     * towards the batch mean and unbiased variance by momentum; otherwise it uses the running statistics.
     */
    public record BatchNorm(Tensor runningMean, Tensor runningVar, boolean training, float momentum, float eps) implements Fused {
        public String name() { return "batchNorm"; }

        boolean batchStats() {
            return training || runningMean == null || runningVar == null;
        }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0), weight = ctx.in(1), bias = ctx.in(2);
            int[] xs = x.shape();
            int n = xs[0], c = xs[1], s = x.numel() / Math.max(1, n * c), m = n * s;
            boolean batchStats = batchStats();
            Tensor xc = x.contiguous();
            float[] in = xc.data(), w = weight == null ? null : weight.contiguousData(), b = bias == null ? null : bias.contiguousData();
            int xo = xc.offset();
            float[] mean = new float[c], invStd = new float[c], var = new float[c];
            if (batchStats) {
                Parallel.forRange(c, 1, (c0, c1) -> {
                    for (int ch = c0; ch < c1; ch++) {
                        double sum = 0;
                        for (int i = 0; i < n; i++) sum += VectorMath.sum(in, xo + (i * c + ch) * s, s);
                        float mu = (float) (sum / m);
                        double sq = 0;
                        for (int i = 0; i < n; i++) sq += LayerNormKernel.centeredSquares(in, xo + (i * c + ch) * s, s, mu);
                        mean[ch] = mu;
                        var[ch] = (float) (sq / m);
                    }
                });
                if (training && runningMean != null && runningVar != null) {
                    float[] rm = runningMean.toArray(), rv = runningVar.toArray();
                    for (int ch = 0; ch < c; ch++) {
                        rm[ch] = (1 - momentum) * rm[ch] + momentum * mean[ch];
                        rv[ch] = (1 - momentum) * rv[ch] + momentum * var[ch] * m / (m - 1f);
                    }
                    runningMean.copyFrom(Tensor.of(rm, c));
                    runningVar.copyFrom(Tensor.of(rv, c));
                }
            } else {
                System.arraycopy(runningMean.toArray(), 0, mean, 0, c);
                System.arraycopy(runningVar.toArray(), 0, var, 0, c);
            }
            for (int ch = 0; ch < c; ch++) invStd[ch] = (float) (1.0 / Math.sqrt(var[ch] + (double) eps));
            float[] out = new float[x.numel()];
            Parallel.forRange(c, 1, (c0, c1) -> {
                for (int ch = c0; ch < c1; ch++) {
                    float scale = (w == null ? 1f : w[ch]) * invStd[ch];
                    float shift = (b == null ? 0f : b[ch]) - mean[ch] * scale;
                    for (int i = 0; i < n; i++) VectorMath.scaleShift(in, xo + (i * c + ch) * s, scale, shift, out, (i * c + ch) * s, s);
                }
            });
            ctx.save(xc, mean, invStd, w);
            return Tensor.of(out, xs);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor xc = ctx.saved(0), weight = ctx.in(1), bias = ctx.in(2);
            float[] mean = ctx.saved(1), invStd = ctx.saved(2), w = ctx.saved(3), in = xc.data();
            int[] xs = xc.shape();
            int n = xs[0], c = xs[1], s = xc.numel() / Math.max(1, n * c), m = n * s, xo = xc.offset();
            boolean batchStats = batchStats();
                float[] gv = g.contiguousData(), gx = new float[xc.numel()], gw = new float[c], gb = new float[c];
                Parallel.forRange(c, 1, (c0, c1) -> {
                    for (int ch = c0; ch < c1; ch++) {
                        float mu = mean[ch], is = invStd[ch];
                        double sg = 0, sgx = 0;
                        for (int i = 0; i < n; i++) {
                            int gOff = (i * c + ch) * s, xOff = xo + gOff;
                            sg += VectorMath.sum(gv, gOff, s);
                            for (int j = 0; j < s; j++) sgx += gv[gOff + j] * ((in[xOff + j] - mu) * is);
                        }
                        gw[ch] = (float) sgx;
                        gb[ch] = (float) sg;
                        float k = (w == null ? 1f : w[ch]) * is;
                        // Batch statistics depend on every input: dx = k·(g − mean(g) − x̂·mean(g·x̂)).
                        float meanG = batchStats ? (float) (sg / m) : 0f, meanGx = batchStats ? (float) (sgx / m) : 0f;
                        for (int i = 0; i < n; i++) {
                            int gOff = (i * c + ch) * s, xOff = xo + gOff;
                            for (int j = 0; j < s; j++) {
                                float xhat = (in[xOff + j] - mu) * is;
                                gx[gOff + j] = k * (gv[gOff + j] - meanG - xhat * meanGx);
                            }
                        }
                    }
                });
                return new Tensor[]{Tensor.of(gx, xs), weight == null ? null : Tensor.of(gw, c), bias == null ? null : Tensor.of(gb, c)};
        }

        /** (x − μ)/√(σ² + eps)·w + b per channel, with the batch or running statistics (and the same running update). */
        public Tensor composite(Tensor... inputs) {
            Tensor x = inputs[0], weight = inputs[1], bias = inputs[2];
            int[] xs = x.shape();
            int n = xs[0], c = xs[1], m = x.numel() / Math.max(1, c);
            Tensor x3 = x.reshape(n, c, -1), mean, var;
            if (batchStats()) {
                mean = x3.sum(2, true).sum(0, true).div(m);
                Tensor centered = x3.sub(mean);
                var = centered.mul(centered).sum(2, true).sum(0, true).div(m);
                if (training && runningMean != null && runningVar != null) {
                    Tensor bm = mean.detach().reshape(c), bv = var.detach().reshape(c).mul(m / (m - 1f));
                    runningMean.copyFrom(runningMean.mul(1 - momentum).add(bm.mul(momentum).to(runningMean.dtype())));
                    runningVar.copyFrom(runningVar.mul(1 - momentum).add(bv.mul(momentum).to(runningVar.dtype())));
                }
            } else {
                mean = runningMean.detach().to(x.dtype()).reshape(1, c, 1);
                var = runningVar.detach().to(x.dtype()).reshape(1, c, 1);
            }
            Tensor y = x3.sub(mean).div(var.add(eps).sqrt());
            if (weight != null) y = y.mul(weight.reshape(1, c, 1));
            if (bias != null) y = y.add(bias.reshape(1, c, 1));
            return y.reshape(xs);
        }
    }

    /** Normalizes over the trailing {@code normalizedShape}, then scales and shifts (weight and bias of that shape, or null). */
    public record LayerNorm(int[] normalizedShape, float eps) implements Fused {
        public String name() { return "layerNorm"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0), weight = ctx.in(1), bias = ctx.in(2);
            int[] xs = x.shape();
            int d = Shape.numel(normalizedShape), rows = x.numel() / Math.max(1, d);
            Tensor xc = x.contiguous();
            float[] in = xc.data(), w = weight == null ? null : weight.contiguousData(), b = bias == null ? null : bias.contiguousData();
            int xo = xc.offset();
            float[] out = new float[x.numel()], mean = new float[rows], invStd = new float[rows];
            int grain = Math.max(1, 8192 / Math.max(1, d));
            Parallel.forRange(rows, grain, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    LayerNormKernel.normalize(in, xo + r * d, d, eps, w, b, out, r * d, mean, invStd, r);
                }
            });
            ctx.save(xc, mean, invStd, w);
            return Tensor.of(out, xs);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor xc = ctx.saved(0), weight = ctx.in(1), bias = ctx.in(2);
            float[] mean = ctx.saved(1), invStd = ctx.saved(2), w = ctx.saved(3), in = xc.data();
            int[] xs = xc.shape();
            int d = Shape.numel(normalizedShape), rows = xc.numel() / Math.max(1, d), xo = xc.offset();
            int grain = Math.max(1, 8192 / Math.max(1, d));
                float[] gv = g.contiguousData(), gx = new float[xc.numel()];
                // Weight and bias gradients are summed over a fixed split of the rows, so any thread count gives the same result.
                int groups = Math.min(rows, 32);
                float[][] partialW = new float[groups][], partialB = new float[groups][];
                Parallel.forRange(groups, Math.max(1, grain * groups / rows), (q0, q1) -> {
                    float[] gh = new float[d], xhat = new float[d];
                    for (int q = q0; q < q1; q++) {
                        float[] pw = new float[d], pb = new float[d];
                        for (int r = (int) ((long) rows * q / groups), end = (int) ((long) rows * (q + 1) / groups); r < end; r++) {
                            int off = xo + r * d, o = r * d;
                            float is = invStd[r];
                            VectorMath.scaleShift(in, off, is, -mean[r] * is, xhat, 0, d);
                            if (w != null) VectorMath.mul(gv, o, w, 0, gh, 0, d);
                            else System.arraycopy(gv, o, gh, 0, d);
                            float meanG = VectorMath.sum(gh, 0, d) / d, meanGx = VectorMath.dot(gh, 0, xhat, 0, d) / d;
                            for (int j = 0; j < d; j++) {
                                gx[o + j] = is * (gh[j] - meanG - xhat[j] * meanGx);
                                pw[j] += gv[o + j] * xhat[j];
                            }
                            VectorMath.add(pb, 0, gv, o, pb, 0, d);
                        }
                        partialW[q] = pw;
                        partialB[q] = pb;
                    }
                });
                float[] gw = new float[d], gb = new float[d];
                for (int q = 0; q < groups; q++) {
                    VectorMath.add(gw, 0, partialW[q], 0, gw, 0, d);
                    VectorMath.add(gb, 0, partialB[q], 0, gb, 0, d);
                }
                return new Tensor[]{Tensor.of(gx, xs), weight == null ? null : Tensor.of(gw, normalizedShape),
                        bias == null ? null : Tensor.of(gb, normalizedShape)};
        }

        public Tensor composite(Tensor... inputs) {
            Tensor x = inputs[0], weight = inputs[1], bias = inputs[2];
            int d = Shape.numel(normalizedShape);
            Tensor x2 = x.reshape(-1, d);
            Tensor centered = x2.sub(x2.mean(1, true));
            Tensor var = centered.mul(centered).mean(1, true);
            Tensor y = centered.div(var.add(eps).sqrt());
            if (weight != null) y = y.mul(weight.reshape(d));
            if (bias != null) y = y.add(bias.reshape(d));
            return y.reshape(x.shape());
        }
    }
}
