package gradus.nn;

import gradus.autograd.NormOps;
import gradus.autograd.Ops;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/** Argument checks (errors name the shapes) in front of the normalization ops of {@link NormOps}. */
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
        return Ops.apply(new NormOps.BatchNorm(runningMean, runningVar, training, momentum, eps), x, weight, bias);
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
        return Ops.apply(new NormOps.LayerNorm(normalizedShape.clone(), eps), x, weight, bias);
    }
}
