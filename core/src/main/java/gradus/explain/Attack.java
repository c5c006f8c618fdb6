package gradus.explain;

import gradus.autograd.GradMode;
import gradus.nn.Losses;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/** An adversarial attack: a perturbed copy of a batch, meant to change the model's predictions. */
public interface Attack {
    /** Adversarial versions of {@code x} [N, ...] whose true classes are {@code labels}; inputs stay in the valid range. */
    Tensor perturb(UnaryOperator<Tensor> model, Tensor x, int[] labels);

    /** A short description, such as "pgd linf eps=0.1 steps=10". */
    String describe();

    /** d cross-entropy(model(x), labels) / dx for a batch. */
    static Tensor lossGradient(UnaryOperator<Tensor> model, Tensor x, int[] labels) {
        Tensor leaf = Gradients.leaf(x);
        try (var g = GradMode.inputGradients(leaf)) { // safe inside a training step: parameters' gradients stay as they are
            Tensor logits = model.apply(leaf);
            Losses.crossEntropy(logits.reshape(x.size(0), -1), IntTensor.of(labels.clone(), labels.length)).backward();
        }
        return leaf.grad() == null ? Tensor.zerosLike(x) : leaf.grad();
    }
}
