package gradus.explain;

import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/** The fast gradient sign method (Goodfellow et al. 2015): one step x + ε·sign(∇ₓ loss), clamped to [min, max]. */
public record Fgsm(float epsilon, float min, float max) implements Attack {
    public Fgsm {
        if (!(epsilon >= 0)) throw new IllegalArgumentException("epsilon must be ≥ 0, got " + epsilon);
        if (!(min < max)) throw new IllegalArgumentException("the valid input range needs min < max, got [" + min + ", " + max + "]");
    }

    @Override
    public Tensor perturb(UnaryOperator<Tensor> model, Tensor x, int[] labels) {
        Tensor g = Attack.lossGradient(model, x, labels);
        return x.add(sign(g).mul(epsilon)).clamp(min, max);
    }

    static Tensor sign(Tensor g) {
        return g.gt(0f).sub(g.lt(0f));
    }

    @Override
    public String describe() {
        return "fgsm eps=" + epsilon;
    }
}
