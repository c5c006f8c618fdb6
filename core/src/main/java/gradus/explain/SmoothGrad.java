package gradus.explain;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * SmoothGrad (Smilkov et al. 2017): the input gradient averaged over copies of the input with Gaussian noise
 * N(0, σ²) added, which removes the gradient's pixel-scale jitter. Seeded: the same seed gives the same map.
 * The noisy copies of one input run as one batch.
 */
public final class SmoothGrad {
    private SmoothGrad() {}

    /**
     * @param samples noisy copies per example
     * @param sigma   noise standard deviation, in input units
     * @param squared average the squared gradients (SmoothGrad²) instead of the gradients
     */
    public static Tensor attribute(UnaryOperator<Tensor> model, Tensor batch, int target, int samples, float sigma,
                                   boolean squared, long seed) {
        if (samples < 1) throw new IllegalArgumentException("SmoothGrad needs at least 1 sample, got " + samples);
        if (!(sigma >= 0)) throw new IllegalArgumentException("SmoothGrad noise sigma must be ≥ 0, got " + sigma);
        Rng rng = new Rng(seed);
        int n = batch.size(0);
        int[] shape = batch.shape();
        int[] many = shape.clone();
        many[0] = samples;
        Tensor[] out = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor x = batch.narrow(0, i, 1);
            Tensor noisy = x.add(Tensor.normal(rng, 0f, sigma, many));
            Tensor g = Gradients.of(model, noisy, target).gradients();
            out[i] = (squared ? g.mul(g) : g).mean(0, true);
        }
        return Tensor.concat(java.util.List.of(out), 0);
    }
}
