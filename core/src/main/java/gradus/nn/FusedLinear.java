package gradus.nn;

import gradus.autograd.LinalgOps;
import gradus.tensor.Tensor;

import java.util.List;

/**
 * Names for the one linear node ({@link LinalgOps.Linear}) as the attention and transformer blocks use it:
 * {@link #stacked} runs several layers on the same input (q, k, v projections) as one product.
 */
public final class FusedLinear {
    private FusedLinear() {}

    /** x·Wᵀ + b; bias may be null. */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        return F.linear(x, weight, bias);
    }

    /**
     * The outputs of several linear layers on x, side by side: [..., Σ out_i] = x·[W_1; W_2; …]ᵀ + [b_1, b_2, …].
     * {@code biases} is null, or one per weight.
     */
    public static Tensor stacked(Tensor x, List<Tensor> weights, List<Tensor> biases) {
        return LinalgOps.Linear.apply(x, weights, biases, LinalgOps.Activation.NONE);
    }
}
