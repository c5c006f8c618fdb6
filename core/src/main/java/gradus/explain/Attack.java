package gradus.explain;

import gradus.autograd.GradMode;
import gradus.config.Config;
import gradus.nn.Losses;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.train.InputPerturbation;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An adversarial attack: a perturbed copy of a batch, meant to change the model's predictions. As an
 * {@link InputPerturbation} it is what a {@link gradus.train.Trainer#adversarial} trainer trains on.
 */
public interface Attack extends InputPerturbation {
    /** Adversarial versions of {@code x} [N, ...] whose true classes are {@code labels}; inputs stay in the valid range. */
    @Override
    Tensor perturb(UnaryOperator<Tensor> model, Tensor x, int[] labels);

    /**
     * The gradient attack of a recipe's {@code adversarial:} section: {@code attack} (pgd or fgsm), {@code eps},
     * for PGD {@code steps} (default 7), {@code step_size} (default 2.5·eps/steps), {@code norm} (linf or l2),
     * {@code random_start} (true) and {@code seed} (0); {@code range} [min, max] is the valid input range (default [0, 1]).
     */
    static Attack fromConfig(Config c) {
        c.allowOnly("attack", "eps", "steps", "step_size", "norm", "random_start", "seed", "range");
        float eps = (float) c.getDouble("eps");
        float[] range = {0f, 1f};
        if (c.has("range")) {
            List<String> r = c.getStrings("range", List.of());
            try {
                if (r.size() != 2) throw new NumberFormatException();
                range = new float[]{Float.parseFloat(r.get(0)), Float.parseFloat(r.get(1))};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("key 'range' in " + c.where() + " must be [min, max], got " + r);
            }
        }
        return switch (c.getString("attack", "pgd")) {
            case "fgsm" -> new Fgsm(eps, range[0], range[1]);
            case "pgd" -> {
                int steps = c.getInt("steps", 7);
                yield new Pgd(Pgd.Norm.parse(c.getString("norm", "linf")), eps, c.getFloat("step_size", 2.5f * eps / steps), steps,
                        c.getBoolean("random_start", true), c.getInt("seed", 0), range[0], range[1]);
            }
            default -> throw new IllegalArgumentException("key 'attack' in " + c.where() + " must be pgd or fgsm, got '" + c.getString("attack") + "'");
        };
    }

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
