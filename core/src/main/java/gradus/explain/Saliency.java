package gradus.explain;

import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/** The simplest attributions: the input gradient's magnitude (Simonyan et al. 2014) and gradient × input. */
public final class Saliency {
    private Saliency() {}

    /** |d f_target / d x|, same shape as {@code batch} (Captum's Saliency with abs=True). */
    public static Tensor saliency(UnaryOperator<Tensor> model, Tensor batch, int target) {
        return Gradients.of(model, batch, target).gradients().abs();
    }

    /** x · d f_target / d x: for a linear model, each feature's exact contribution relative to zero. */
    public static Tensor gradientTimesInput(UnaryOperator<Tensor> model, Tensor batch, int target) {
        return Gradients.of(model, batch, target).gradients().mul(batch);
    }
}
