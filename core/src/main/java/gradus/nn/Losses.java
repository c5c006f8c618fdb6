package gradus.nn;

import gradus.autograd.LossOps;
import gradus.autograd.Ops;
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
        checkLabels("crossEntropy", labels, ls[0], ls[1], ls);
        checkClassWeights(classWeights, ls[1]);
        return Ops.apply(new LossOps.CrossEntropy(labels, detached(classWeights), labelSmoothing, of(reduction)), logits);
    }

    /** Mean over rows of −Σ target·log-softmax(logits), for soft targets [N, C] (mixup, cutmix, distillation). */
    public static Tensor softCrossEntropy(Tensor logits, Tensor targets) {
        if (logits.dim() != 2 || !java.util.Arrays.equals(logits.shape(), targets.shape())) {
            throw new IllegalArgumentException("softCrossEntropy expects logits and targets of one shape [N, C], got "
                    + Shape.str(logits.shape()) + " and " + Shape.str(targets.shape()));
        }
        return logits.logSoftmax(1).mul(targets.to(logits.dtype())).sum().div(-logits.size(0));
    }

    /** Negative log-likelihood of log-probabilities [N, C] at class indices [N]. */
    public static Tensor nll(Tensor logProbs, IntTensor labels) {
        return nll(logProbs, labels, null, Reduction.MEAN);
    }

    /** {@code -w[y]·logProbs[i, y]} per row; the mean divides by Σ w[label]. {@code classWeights} may be null. */
    public static Tensor nll(Tensor logProbs, IntTensor labels, Tensor classWeights, Reduction reduction) {
        int[] ls = logProbs.shape();
        if (logProbs.dim() != 2) throw new IllegalArgumentException("nll expects log-probabilities [N, C], got shape " + Shape.str(ls));
        checkLabels("nll", labels, ls[0], ls[1], ls);
        checkClassWeights(classWeights, ls[1]);
        return Ops.apply(new LossOps.Nll(labels, detached(classWeights), of(reduction)), logProbs);
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
        if (posWeight != null) {
            try {
                posWeight.detach().expand(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bceWithLogits posWeight of shape " + Shape.str(posWeight.shape())
                        + " does not broadcast to logits of shape " + Shape.str(shape));
            }
        }
        return reduce(Ops.apply(new LossOps.BceWithLogits(detached(posWeight)), logits, targets), reduction);
    }

    /** Binary cross-entropy on probabilities in [0, 1]; each log is clamped at −100 as in PyTorch. */
    public static Tensor bce(Tensor probs, Tensor targets) {
        return bce(probs, targets, Reduction.MEAN);
    }

    public static Tensor bce(Tensor probs, Tensor targets, Reduction reduction) {
        sameShape("bce", probs, targets);
        double[] p = probs.toDoubleArray();
        for (int i = 0; i < p.length; i++) {
            if (!(p[i] >= 0 && p[i] <= 1)) {
                throw new IllegalArgumentException("bce expects probabilities in [0, 1], got " + (float) p[i] + " at element " + i);
            }
        }
        return reduce(Ops.apply(new LossOps.Bce(), probs, targets), reduction);
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

    private static void checkClassWeights(Tensor weights, int c) {
        if (weights != null && (weights.dim() != 1 || weights.size(0) != c)) {
            throw new IllegalArgumentException("class weights must have shape [" + c + "], got " + Shape.str(weights.shape()));
        }
    }

    private static Tensor detached(Tensor t) {
        return t == null ? null : t.detach();
    }

    private static LossOps.Reduction of(Reduction r) {
        return LossOps.Reduction.valueOf(r.name());
    }
}
