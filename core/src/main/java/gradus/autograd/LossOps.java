package gradus.autograd;

import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

/**
 * Losses as fused ops, with PyTorch's semantics. Labels, class weights and {@code posWeight} are constants
 * (attributes); a weighted mean divides by the sum of the weights picked by the labels.
 * The fused kernels are float32; the composites say what they compute.
 */
public final class LossOps {
    private LossOps() {}

    public enum Reduction { NONE, SUM, MEAN }

    /** Σ_i of per-row losses, scaled as the reduction says; none keeps the rows. */
    private static Tensor reduceRows(Tensor perRow, Tensor rowWeights, Reduction reduction) {
        return switch (reduction) {
            case NONE -> perRow;
            case SUM -> perRow.sum();
            case MEAN -> perRow.sum().div(rowWeights == null ? Tensor.scalar(perRow.numel()).to(perRow.dtype()) : rowWeights.sum());
        };
    }

    private static float pick(float[] w, int label) {
        return w == null ? 1f : w[label];
    }

    /**
     * Softmax cross-entropy of logits [N, C] against labels [N]: stable log-softmax and the negative
     * log-likelihood in one pass, gradient softmax − target. With label smoothing ε the target is
     * (1−ε)·onehot + ε/C; {@code classWeights} [C] (or null) weight each class's term.
     */
    public record CrossEntropy(IntTensor labels, Tensor classWeights, float labelSmoothing, Reduction reduction) implements Fused {
        public String name() { return "crossEntropy"; }

        public Tensor forward(Context ctx) {
            Tensor zc = ctx.in(0).contiguous();
            int n = zc.size(0), c = zc.size(1);
            int[] y = labels.data();
            float[] w = classWeights == null ? null : classWeights.toArray(), z = zc.data();
            int zo = zc.offset();
            float eps = labelSmoothing, hard = 1f - eps, soft = eps / c;
            double[] lse = new double[n];
            float[] loss = new float[n];
            Parallel.forRange(n, Math.max(1, 8192 / Math.max(1, c)), (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    int row = zo + i * c;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) m = Math.max(m, z[row + j]);
                    double s = 0;
                    for (int j = 0; j < c; j++) s += Math.exp(z[row + j] - m);
                    double l = m + Math.log(s);
                    lse[i] = l;
                    double smooth = 0;
                    if (eps != 0f) {
                        for (int j = 0; j < c; j++) smooth += (w == null ? 1 : w[j]) * (l - z[row + j]);
                    }
                    loss[i] = (float) (hard * pick(w, y[i]) * (l - z[row + y[i]]) + soft * smooth);
                }
            });
            double norm = 0;
            if (reduction == Reduction.MEAN) for (int i = 0; i < n; i++) norm += pick(w, y[i]);
            float scale = reduction == Reduction.MEAN ? (float) (1.0 / norm) : 1f;
            ctx.save(zc, lse, w, scale);
            if (reduction == Reduction.NONE) return Tensor.of(loss, n);
            double s = 0;
            for (float v : loss) s += v;
            return Tensor.scalar(scale * (float) s);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor zc = ctx.saved(0);
            double[] lse = ctx.saved(1);
            float[] w = ctx.saved(2);
            float scale = ctx.saved(3);
            int n = zc.size(0), c = zc.size(1), zo = zc.offset();
            int[] y = labels.data();
            float[] z = zc.data(), gv = g.contiguousData(), gz = new float[n * c];
            float eps = labelSmoothing, hard = 1f - eps, soft = eps / c;
            double wTotal = 0;
            for (int j = 0; j < c; j++) wTotal += w == null ? 1 : w[j];
            double fwTotal = wTotal;
            Parallel.forRange(n, Math.max(1, 8192 / Math.max(1, c)), (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    int row = zo + i * c, yi = y[i];
                    float gi = reduction == Reduction.NONE ? gv[i] : gv[0] * scale;
                    double wy = pick(w, yi), pScale = hard * wy + soft * fwTotal;
                    // d/dz_j = p_j·((1−ε)w_y + ε/C·Σw) − (1−ε)w_y·[j = y] − ε/C·w_j
                    for (int j = 0; j < c; j++) {
                        double d = Math.exp(z[row + j] - lse[i]) * pScale - soft * (w == null ? 1 : w[j]);
                        if (j == yi) d -= hard * wy;
                        gz[i * c + j] = (float) (gi * d);
                    }
                }
            });
            return new Tensor[]{Tensor.of(gz, n, c)};
        }

        /** −((1−ε)·w_y·log p_y + ε/C·Σ_j w_j·log p_j) per row, then the reduction. */
        public Tensor composite(Tensor... inputs) {
            Tensor logp = inputs[0].logSoftmax(1);
            int n = logp.size(0), c = logp.size(1);
            Tensor picked = logp.gather(1, labels.reshape(n, 1)).squeeze(1);
            Tensor wy = classWeights == null ? null : classWeights.to(logp.dtype()).indexSelect(0, labels);
            Tensor hard = (wy == null ? picked : picked.mul(wy)).mul(1f - labelSmoothing);
            Tensor perRow = hard;
            if (labelSmoothing != 0f) {
                Tensor weighted = classWeights == null ? logp : logp.mul(classWeights.to(logp.dtype()));
                perRow = hard.add(weighted.sum(1, false).mul(labelSmoothing / c));
            }
            return reduceRows(perRow.neg(), wy, reduction);
        }
    }

    /** −w[y]·logProbs[i, y] per row of log-probabilities [N, C]. */
    public record Nll(IntTensor labels, Tensor classWeights, Reduction reduction) implements Fused {
        public String name() { return "nll"; }

        public Tensor forward(Context ctx) {
            Tensor lc = ctx.in(0).contiguous();
            int n = lc.size(0), c = lc.size(1), lo = lc.offset();
            int[] y = labels.data();
            float[] w = classWeights == null ? null : classWeights.toArray(), lp = lc.data(), loss = new float[n];
            double norm = 0;
            for (int i = 0; i < n; i++) {
                loss[i] = -pick(w, y[i]) * lp[lo + i * c + y[i]];
                norm += pick(w, y[i]);
            }
            float scale = reduction == Reduction.MEAN ? (float) (1.0 / norm) : 1f;
            ctx.save(w, scale);
            if (reduction == Reduction.NONE) return Tensor.of(loss, n);
            double s = 0;
            for (float v : loss) s += v;
            return Tensor.scalar(scale * (float) s);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            float[] w = ctx.saved(0);
            float scale = ctx.saved(1);
            int n = ctx.in(0).size(0), c = ctx.in(0).size(1);
            int[] y = labels.data();
            float[] gv = g.contiguousData(), gl = new float[n * c];
            for (int i = 0; i < n; i++) gl[i * c + y[i]] = -pick(w, y[i]) * (reduction == Reduction.NONE ? gv[i] : gv[0] * scale);
            return new Tensor[]{Tensor.of(gl, n, c)};
        }

        public Tensor composite(Tensor... inputs) {
            Tensor lp = inputs[0];
            Tensor picked = lp.gather(1, labels.reshape(lp.size(0), 1)).squeeze(1);
            Tensor wy = classWeights == null ? null : classWeights.to(lp.dtype()).indexSelect(0, labels);
            return reduceRows((wy == null ? picked : picked.mul(wy)).neg(), wy, reduction);
        }
    }

    /**
     * Elementwise binary cross-entropy on logits x with targets y (both inputs) and {@code posWeight} (a constant
     * broadcast over x, or null) on the positive term: (1−y)·x + (1 + (pw−1)·y)·softplus(−x), computed stably.
     */
    public record BceWithLogits(Tensor posWeight) implements Fused {
        public String name() { return "bceWithLogits"; }

        public Tensor forward(Context ctx) {
            int[] shape = ctx.in(0).shape();
            float[] x = ctx.in(0).toArray(), y = ctx.in(1).toArray();
            float[] pw = posWeight == null ? null : posWeight.detach().expand(shape).toArray();
            float[] loss = new float[x.length], gx = new float[x.length], gy = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                double xi = x[i], yi = y[i], p = pw == null ? 1 : pw[i];
                double softplusNeg = Math.log1p(Math.exp(-Math.abs(xi))) + Math.max(-xi, 0); // −log σ(x)
                double sigmoidNeg = Math.exp(-softplusNeg - xi);                           // σ(−x) = e^{−x}·σ(x)
                double lw = 1 + (p - 1) * yi;
                loss[i] = (float) ((1 - yi) * xi + lw * softplusNeg);
                gx[i] = (float) ((1 - yi) - lw * sigmoidNeg);
                gy[i] = (float) (-xi + (p - 1) * softplusNeg);
            }
            ctx.save(Tensor.of(gx, shape), Tensor.of(gy, shape));
            return Tensor.of(loss, shape);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor gc = g.contiguous();
            return new Tensor[]{gc.mul(ctx.<Tensor>saved(0)), ctx.needsGrad(1) ? gc.mul(ctx.<Tensor>saved(1)) : null};
        }

        public Tensor composite(Tensor... inputs) {
            Tensor x = inputs[0], y = inputs[1];
            Tensor softplusNeg = x.abs().neg().exp().add(1f).log().add(x.neg().relu());
            Tensor lw = posWeight == null ? null : y.mul(posWeight.to(x.dtype()).sub(1f)).add(1f);
            return y.neg().add(1f).mul(x).add(lw == null ? softplusNeg : lw.mul(softplusNeg));
        }
    }

    /** Elementwise binary cross-entropy on probabilities p (in [0, 1]) with targets y; each log clamped at −100. */
    public record Bce() implements Fused {
        public String name() { return "bce"; }

        public Tensor forward(Context ctx) {
            int[] shape = ctx.in(0).shape();
            float[] p = ctx.in(0).toArray(), y = ctx.in(1).toArray();
            float[] loss = new float[p.length], gp = new float[p.length], gy = new float[p.length];
            for (int i = 0; i < p.length; i++) {
                double logP = Math.max(Math.log(p[i]), -100), log1mP = Math.max(Math.log1p(-p[i]), -100);
                loss[i] = (float) -(y[i] * logP + (1 - y[i]) * log1mP);
                gp[i] = (float) ((p[i] - (double) y[i]) / Math.max((1.0 - p[i]) * p[i], 1e-12));
                gy[i] = (float) (log1mP - logP);
            }
            ctx.save(Tensor.of(gp, shape), Tensor.of(gy, shape));
            return Tensor.of(loss, shape);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor gc = g.contiguous();
            return new Tensor[]{gc.mul(ctx.<Tensor>saved(0)), ctx.needsGrad(1) ? gc.mul(ctx.<Tensor>saved(1)) : null};
        }

        public Tensor composite(Tensor... inputs) {
            Tensor p = inputs[0], y = inputs[1];
            Tensor logP = p.log().clamp(-100f, Float.MAX_VALUE), log1mP = p.neg().add(1f).log().clamp(-100f, Float.MAX_VALUE);
            return y.mul(logP).add(y.neg().add(1f).mul(log1mP)).neg();
        }
    }

    /** Σ |w| over every element of every input (lasso); gradient sign(w), 0 at 0. One node for all parameters. */
    public record L1Penalty() implements Fused {
        public String name() { return "l1Penalty"; }

        public Tensor forward(Context ctx) {
            double s = 0;
            for (int i = 0; i < ctx.arity(); i++) for (float v : ctx.in(i).contiguousData()) s += Math.abs(v);
            return Tensor.scalar((float) s);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            float gv = g.item();
            Tensor[] out = new Tensor[ctx.arity()];
            for (int i = 0; i < out.length; i++) {
                float[] w = ctx.in(i).contiguousData(), gw = new float[w.length];
                for (int j = 0; j < w.length; j++) gw[j] = w[j] > 0 ? gv : w[j] < 0 ? -gv : 0f;
                out[i] = Tensor.of(gw, ctx.in(i).shape());
            }
            return out;
        }

        public Tensor composite(Tensor... inputs) {
            Tensor s = null;
            for (Tensor p : inputs) s = s == null ? p.abs().sum() : s.add(p.abs().sum());
            return s;
        }
    }

    /** Σ w² over every element of every input, without the ½ (so λ·l2 has gradient 2λw). */
    public record L2Penalty() implements Fused {
        public String name() { return "l2Penalty"; }

        public Tensor forward(Context ctx) {
            double s = 0;
            for (int i = 0; i < ctx.arity(); i++) {
                float[] w = ctx.in(i).contiguousData();
                s += VectorMath.dot(w, 0, w, 0, w.length);
            }
            return Tensor.scalar((float) s);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            float twice = 2f * g.item();
            Tensor[] out = new Tensor[ctx.arity()];
            for (int i = 0; i < out.length; i++) {
                float[] w = ctx.in(i).contiguousData(), gw = new float[w.length];
                VectorMath.scaleShift(w, 0, twice, 0f, gw, 0, w.length);
                out[i] = Tensor.of(gw, ctx.in(i).shape());
            }
            return out;
        }

        public Tensor composite(Tensor... inputs) {
            Tensor s = null;
            for (Tensor p : inputs) s = s == null ? p.mul(p).sum() : s.add(p.mul(p).sum());
            return s;
        }
    }
}
