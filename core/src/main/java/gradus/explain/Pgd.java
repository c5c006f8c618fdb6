package gradus.explain;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Projected gradient descent (Madry et al. 2018): from a random point of the ε-ball around x (seeded), {@code steps}
 * steps of size α up the loss — along sign(∇) for L∞, along ∇/‖∇‖₂ for L2 — each followed by projection onto the
 * ε-ball and clamping to the valid input range [min, max].
 */
public record Pgd(Norm norm, float epsilon, float stepSize, int steps, boolean randomStart, long seed, float min, float max)
        implements Attack {
    public enum Norm {
        LINF, L2;

        public static Norm parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "linf", "inf", "l_inf" -> LINF;
                case "l2", "2" -> L2;
                default -> throw new IllegalArgumentException("unknown norm '" + s + "'; use linf or l2");
            };
        }
    }

    public Pgd {
        if (!(epsilon >= 0)) throw new IllegalArgumentException("epsilon must be ≥ 0, got " + epsilon);
        if (!(stepSize > 0)) throw new IllegalArgumentException("PGD step size must be positive, got " + stepSize);
        if (steps < 1) throw new IllegalArgumentException("PGD needs at least 1 step, got " + steps);
        if (!(min < max)) throw new IllegalArgumentException("the valid input range needs min < max, got [" + min + ", " + max + "]");
    }

    /** L∞ PGD with the usual step 2.5·ε/steps (Madry et al.), random start, seed 0, inputs in [0, 1]. */
    public static Pgd linf(float epsilon, int steps) {
        return new Pgd(Norm.LINF, epsilon, 2.5f * epsilon / steps, steps, true, 0, 0f, 1f);
    }

    @Override
    public Tensor perturb(UnaryOperator<Tensor> model, Tensor x, int[] labels) {
        return perturb(model, x, labels, randomStart ? start(x) : Tensor.zerosLike(x));
    }

    /** PGD from x + start (start is projected onto the ε-ball first). */
    public Tensor perturb(UnaryOperator<Tensor> model, Tensor x, int[] labels, Tensor start) {
        Tensor adv = project(x, x.add(start));
        for (int s = 0; s < steps; s++) {
            Tensor g = Attack.lossGradient(model, adv, labels);
            Tensor step = norm == Norm.LINF ? Fgsm.sign(g) : g.div(rowNorms(g).clamp(1e-12f, Float.MAX_VALUE));
            adv = project(x, adv.add(step.mul(stepSize)));
        }
        return adv;
    }

    /** Onto the ε-ball around x, then into [min, max] (which keeps it in the ball: both are boxes for L∞, and for L2 clamping moves towards x). */
    private Tensor project(Tensor x, Tensor adv) {
        Tensor d = adv.sub(x);
        if (norm == Norm.LINF) {
            d = d.clamp(-epsilon, epsilon);
        } else {
            Tensor n = rowNorms(d);
            d = d.mul(Tensor.full(epsilon, n.shape()).div(n.clamp(1e-12f, Float.MAX_VALUE)).clamp(0f, 1f));
        }
        return x.add(d).clamp(min, max);
    }

    /** ‖row‖₂ of each example, shaped [N, 1, …, 1] to broadcast. */
    private static Tensor rowNorms(Tensor t) {
        int n = t.size(0);
        int[] shape = new int[t.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = n;
        return t.reshape(n, -1).pow(2f).sum(1).sqrt().reshape(shape);
    }

    /** Uniform in the L∞ ball; for L2 a uniformly random direction at radius ε·U^(1/d). */
    private Tensor start(Tensor x) {
        Rng rng = new Rng(seed);
        if (norm == Norm.LINF) return Tensor.uniform(rng, -epsilon, epsilon, x.shape());
        Tensor dir = Tensor.normal(rng, 0f, 1f, x.shape());
        int n = x.size(0), d = x.numel() / n;
        float[] radius = new float[n];
        for (int i = 0; i < n; i++) radius[i] = (float) (epsilon * Math.pow(rng.nextDouble(), 1.0 / d));
        int[] shape = new int[x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = n;
        return dir.div(rowNorms(dir)).mul(Tensor.of(radius, shape));
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "pgd %s eps=%s step=%s steps=%d", norm.name().toLowerCase(Locale.ROOT), epsilon, stepSize, steps);
    }
}
