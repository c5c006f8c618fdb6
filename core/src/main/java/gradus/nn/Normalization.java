package gradus.nn;

import gradus.kernels.LayerNormKernel;
import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * Batch and layer normalization as single autograd operations with hand-written gradients:
 * composing them from elementwise ops would allocate a dozen intermediates per call.
 */
final class Normalization {
    private Normalization() {}

    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                            boolean training, float momentum, float eps) {
        int[] xs = x.shape();
        if (x.dim() < 2) throw new IllegalArgumentException("batchNorm expects input [N, C, *], got shape " + Shape.str(xs));
        int n = xs[0], c = xs[1], s = x.numel() / Math.max(1, n * c), m = n * s;
        for (Tensor t : new Tensor[]{runningMean, runningVar, weight, bias}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c)) {
                throw new IllegalArgumentException("batchNorm input of shape " + Shape.str(xs) + " has " + c
                        + " channels but a per-channel tensor has shape " + Shape.str(t.shape()));
            }
        }
        boolean batchStats = training || runningMean == null || runningVar == null;
        if (batchStats && m <= 1) {
            throw new IllegalArgumentException("batchNorm needs more than one value per channel when training, got input of shape " + Shape.str(xs));
        }
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
        return Tensor.record(Tensor.of(out, xs), "batchNorm", g -> {
            float[] gv = g.contiguousData(), gx = new float[out.length], gw = new float[c], gb = new float[c];
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
        }, xc, weight, bias);
    }

    static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        int[] xs = x.shape();
        int k = normalizedShape.length;
        if (k == 0 || k > xs.length || !Arrays.equals(Arrays.copyOfRange(xs, xs.length - k, xs.length), normalizedShape)) {
            throw new IllegalArgumentException("layerNorm over " + Shape.str(normalizedShape) + " needs input ending in those dimensions, got shape " + Shape.str(xs));
        }
        for (Tensor t : new Tensor[]{weight, bias}) {
            if (t != null && !Arrays.equals(t.shape(), normalizedShape)) {
                throw new IllegalArgumentException("layerNorm weight and bias must have shape " + Shape.str(normalizedShape) + ", got " + Shape.str(t.shape()));
            }
        }
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
        return Tensor.record(Tensor.of(out, xs), "layerNorm", g -> {
            float[] gv = g.contiguousData(), gx = new float[out.length];
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
        }, xc, weight, bias);
    }
}
