package gradus.train;

import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * What a {@link Trainer} set up with {@link Trainer#adversarial} trains on instead of a batch's inputs: for
 * adversarial training (Madry et al. 2018) an attack's examples, found against the model as it is at that step.
 */
@FunctionalInterface
public interface InputPerturbation {
    /** Inputs of the same shape as {@code x} [N, ...], whose true classes are {@code labels}. */
    Tensor perturb(UnaryOperator<Tensor> model, Tensor x, int[] labels);
}
