package gradus.nn;

import gradus.kernels.Parallel;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * Loss functions with PyTorch's semantics, reduced to a mean unless told otherwise. A weighted
 * mean divides by the sum of the weights picked by the labels, as PyTorch does. Class weights,
 * and {@code posWeight} of {@link #bceWithLogits}, are constants: they receive no gradient.
 */
public final class Losses {
    private Losses() {}

    /** Mean squared error. */
    public static Tensor mse(Tensor pred, Tensor target) {
        return mse(pred, target, Reduction.MEAN);
    }

    public static Tensor mse(Tensor pred, Tensor target, Reduction reduction) {
        sameShape("mse", pred, target);
        Tensor d = pred.sub(target);
        return reduce(d.mul(d), reduction);
    }

    /** Mean absolute error. */
    public static Tensor l1(Tensor pred, Tensor target) {
        return l1(pred, target, Reduction.MEAN);
    }

    public static Tensor l1(Tensor pred, Tensor target, Reduction reduction) {
        sameShape("l1", pred, target);
        return reduce(pred.sub(target).abs(), reduction);
    }

    /** Softmax cross-entropy of logits [N, C] against class indices [N]. */
    public static Tensor crossEntropy(Tensor logits, IntTensor labels) {
        return crossEntropy(logits, labels, null, 0f, Reduction.MEAN);
    }

    /**
     * Softmax cross-entropy as one operation (stable log-softmax and the negative log-likelihood,
     * gradient softmax − target). With label smoothing ε the target is (1−ε)·onehot + ε/C;
     * {@code classWeights} [C] (or null) weight each class's term. The mean divides by Σ w[label].
     */
    public static Tensor crossEntropy(Tensor logits, IntTensor labels, Tensor classWeights, float labelSmoothing, Reduction reduction) {
        if (labelSmoothing < 0f || labelSmoothing > 1f) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        int[] ls = logits.shape();
        if (logits.dim() != 2) throw new IllegalArgumentException("crossEntropy expects logits [N, C], got shape " + Shape.str(ls));
        int n = ls[0], c = ls[1];
        int[] y = checkLabels("crossEntropy", labels, n, c, ls);
        float[] w = classWeights(classWeights, c);
        Tensor zc = logits.contiguous();
        float[] z = zc.data();
        int zo = zc.offset();
        float eps = labelSmoothing, hard = 1f - eps, soft = eps / c;
        double weightTotal = 0;
        for (int j = 0; j < c; j++) weightTotal += w == null ? 1 : w[j];
        final double wTotal = weightTotal;
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
        final float scale = reduction == Reduction.MEAN ? (float) (1.0 / norm) : 1f;
        Tensor out = reduction == Reduction.NONE ? Tensor.of(loss, n) : Tensor.scalar(scale * sum(loss));
        return Tensor.record(out, "crossEntropy", g -> {
            float[] gv = g.contiguousData(), gz = new float[n * c];
            Parallel.forRange(n, Math.max(1, 8192 / Math.max(1, c)), (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    int row = zo + i * c, yi = y[i];
                    float gi = reduction == Reduction.NONE ? gv[i] : gv[0] * scale;
                    double wy = pick(w, yi), pScale = hard * wy + soft * wTotal;
                    // d/dz_j = p_j·((1−ε)w_y + ε/C·Σw) − (1−ε)w_y·[j = y] − ε/C·w_j
                    for (int j = 0; j < c; j++) {
                        double d = Math.exp(z[row + j] - lse[i]) * pScale - soft * (w == null ? 1 : w[j]);
                        if (j == yi) d -= hard * wy;
                        gz[i * c + j] = (float) (gi * d);
                    }
                }
            });
            return new Tensor[]{Tensor.of(gz, n, c)};
        }, zc);
    }

    /** Negative log-likelihood of log-probabilities [N, C] at class indices [N]. */
    public static Tensor nll(Tensor logProbs, IntTensor labels) {
        return nll(logProbs, labels, null, Reduction.MEAN);
    }

    /** {@code -w[y]·logProbs[i, y]} per row; the mean divides by Σ w[label]. {@code classWeights} may be null. */
    public static Tensor nll(Tensor logProbs, IntTensor labels, Tensor classWeights, Reduction reduction) {
        int[] ls = logProbs.shape();
        if (logProbs.dim() != 2) throw new IllegalArgumentException("nll expects log-probabilities [N, C], got shape " + Shape.str(ls));
        int n = ls[0], c = ls[1];
        int[] y = checkLabels("nll", labels, n, c, ls);
        float[] w = classWeights(classWeights, c);
        Tensor lc = logProbs.contiguous();
        float[] lp = lc.data();
        int lo = lc.offset();
        float[] loss = new float[n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            loss[i] = -pick(w, y[i]) * lp[lo + i * c + y[i]];
            norm += pick(w, y[i]);
        }
        final float scale = reduction == Reduction.MEAN ? (float) (1.0 / norm) : 1f;
        Tensor out = reduction == Reduction.NONE ? Tensor.of(loss, n) : Tensor.scalar(scale * sum(loss));
        return Tensor.record(out, "nll", g -> {
            float[] gv = g.contiguousData(), gl = new float[n * c];
            for (int i = 0; i < n; i++) {
                gl[i * c + y[i]] = -pick(w, y[i]) * (reduction == Reduction.NONE ? gv[i] : gv[0] * scale);
            }
            return new Tensor[]{Tensor.of(gl, n, c)};
        }, lc);
    }

    /** Binary cross-entropy on logits, computed stably as max(x,0) − x·y + log(1 + e^−|x|). */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
        return bceWithLogits(logits, targets, null, Reduction.MEAN);
    }

    public static Tensor bceWithLogits(Tensor logits, Tensor targets, Tensor posWeight) {
        return bceWithLogits(logits, targets, posWeight, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy on logits with {@code posWeight} (broadcast over the logits, e.g. one
     * value per class along the last dimension; null for none) multiplying the positive term:
     * {@code (1−y)·x + (1 + (pw−1)·y)·softplus(−x)}.
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets, Tensor posWeight, Reduction reduction) {
        sameShape("bceWithLogits", logits, targets);
        int[] shape = logits.shape();
        float[] x = logits.toArray(), y = targets.toArray();
        float[] pw = null;
        if (posWeight != null) {
            try {
                pw = posWeight.detach().expand(shape).toArray();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bceWithLogits posWeight of shape " + Shape.str(posWeight.shape())
                        + " does not broadcast to logits of shape " + Shape.str(shape));
            }
        }
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
        Tensor elementwise = Tensor.record(Tensor.of(loss, shape), "bceWithLogits", g -> {
            Tensor gc = g.contiguous();
            return new Tensor[]{gc.mul(Tensor.of(gx, shape)), targets.requiresGrad() ? gc.mul(Tensor.of(gy, shape)) : null};
        }, logits, targets);
        return reduce(elementwise, reduction);
    }

    /** Binary cross-entropy on probabilities in [0, 1]; each log is clamped at −100 as in PyTorch. */
    public static Tensor bce(Tensor probs, Tensor targets) {
        return bce(probs, targets, Reduction.MEAN);
    }

    public static Tensor bce(Tensor probs, Tensor targets, Reduction reduction) {
        sameShape("bce", probs, targets);
        int[] shape = probs.shape();
        float[] p = probs.toArray(), y = targets.toArray();
        float[] loss = new float[p.length], gp = new float[p.length], gy = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            if (!(p[i] >= 0f && p[i] <= 1f)) {
                throw new IllegalArgumentException("bce expects probabilities in [0, 1], got " + p[i] + " at element " + i);
            }
            double logP = Math.max(Math.log(p[i]), -100), log1mP = Math.max(Math.log1p(-p[i]), -100);
            loss[i] = (float) -(y[i] * logP + (1 - y[i]) * log1mP);
            gp[i] = (float) ((p[i] - (double) y[i]) / Math.max((1.0 - p[i]) * p[i], 1e-12));
            gy[i] = (float) (log1mP - logP);
        }
        Tensor elementwise = Tensor.record(Tensor.of(loss, shape), "bce", g -> {
            Tensor gc = g.contiguous();
            return new Tensor[]{gc.mul(Tensor.of(gp, shape)), targets.requiresGrad() ? gc.mul(Tensor.of(gy, shape)) : null};
        }, probs, targets);
        return reduce(elementwise, reduction);
    }

    private static Tensor reduce(Tensor t, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> t.mean();
            case SUM -> t.sum();
            case NONE -> t;
        };
    }

    private static void sameShape(String loss, Tensor pred, Tensor target) {
        if (!Arrays.equals(pred.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + " needs input and target of the same shape, got "
                    + Shape.str(pred.shape()) + " and " + Shape.str(target.shape()));
        }
    }

    private static int[] checkLabels(String loss, IntTensor labels, int n, int c, int[] inputShape) {
        if (labels.dim() != 1 || labels.size(0) != n) {
            throw new IllegalArgumentException(loss + " needs labels [" + n + "] for input " + Shape.str(inputShape)
                    + ", got shape " + Shape.str(labels.shape()));
        }
        int[] y = labels.data();
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= c) {
                throw new IndexOutOfBoundsException(loss + " label " + y[i] + " at row " + i + " is out of range for " + c + " classes");
            }
        }
        return y;
    }

    private static float[] classWeights(Tensor weights, int c) {
        if (weights == null) return null;
        if (weights.dim() != 1 || weights.size(0) != c) {
            throw new IllegalArgumentException("class weights must have shape [" + c + "], got " + Shape.str(weights.shape()));
        }
        return weights.toArray();
    }

    private static float pick(float[] w, int label) {
        return w == null ? 1f : w[label];
    }

    private static float sum(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return (float) s;
    }
}
