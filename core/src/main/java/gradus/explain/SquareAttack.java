package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The L∞ Square Attack (Andriushchenko et al. 2020): a black-box attack that only queries the model's outputs.
 * It starts from vertical stripes of ±ε and then, per query, redraws a random square window (one ±ε value per
 * channel), keeping the change when it lowers the margin logit_true − max_other. The window's share of the image
 * starts at {@code p} and halves on the paper's schedule. Examples already misclassified are not queried again.
 * Images [N, C, H, W]; seeded.
 */
public record SquareAttack(float epsilon, int queries, float p, long seed, float min, float max) implements Attack {
    public SquareAttack {
        if (!(epsilon >= 0)) throw new IllegalArgumentException("epsilon must be ≥ 0, got " + epsilon);
        if (queries < 1) throw new IllegalArgumentException("Square Attack needs at least 1 query, got " + queries);
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("the initial square share p must be in (0, 1], got " + p);
        if (!(min < max)) throw new IllegalArgumentException("the valid input range needs min < max, got [" + min + ", " + max + "]");
    }

    /** p = 0.8, the paper's setting for MNIST-sized images; seed 0; inputs in [0, 1]. */
    public static SquareAttack linf(float epsilon, int queries) {
        return new SquareAttack(epsilon, queries, 0.8f, 0, 0f, 1f);
    }

    @Override
    public Tensor perturb(UnaryOperator<Tensor> model, Tensor x, int[] labels) {
        if (x.dim() != 4) throw new IllegalArgumentException("Square Attack takes images [N, C, H, W], got " + Shape.str(x.shape()));
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), size = c * h * w;
        float[] x0 = x.toArray(), adv = new float[x0.length];
        Rng rng = new Rng(seed);
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
                for (int col = 0; col < w; col++) {
                    float d = rng.nextFloat() < 0.5f ? -epsilon : epsilon;
                    for (int row = 0; row < h; row++) {
                        int e = ((i * c + ch) * h + row) * w + col;
                        adv[e] = clamp(x0[e] + d);
                    }
                }
        double[] margin = margins(model, adv, n, x.shape(), labels);
        for (int q = 1; q < queries; q++) {
            int side = Math.max(1, Math.min(h, (int) Math.round(Math.sqrt(share(q) * h * w))));
            float[] candidate = adv.clone();
            boolean any = false;
            for (int i = 0; i < n; i++) {
                if (margin[i] < 0) continue; // already fooled
                any = true;
                int r0 = rng.nextInt(h - side + 1), c0 = rng.nextInt(w - side + 1);
                for (int ch = 0; ch < c; ch++) {
                    float d = rng.nextFloat() < 0.5f ? -epsilon : epsilon;
                    for (int row = r0; row < r0 + side; row++)
                        for (int col = c0; col < c0 + side; col++) {
                            int e = ((i * c + ch) * h + row) * w + col;
                            candidate[e] = clamp(x0[e] + d);
                        }
                }
            }
            if (!any) break;
            double[] m = margins(model, candidate, n, x.shape(), labels);
            for (int i = 0; i < n; i++) {
                if (margin[i] >= 0 && m[i] < margin[i]) {
                    margin[i] = m[i];
                    System.arraycopy(candidate, i * size, adv, i * size, size);
                }
            }
        }
        return Tensor.of(adv, x.shape());
    }

    private float clamp(float v) {
        return Math.max(min, Math.min(max, v));
    }

    /** The window's share of the image after {@code q} of {@code queries} queries: p halved at the paper's milestones (of 10,000). */
    private double share(int q) {
        int[] milestones = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
        int scaled = (int) ((long) q * 10000 / queries);
        double s = p;
        for (int m : milestones) if (scaled > m) s /= 2;
        return s;
    }

    /** logit_true − max_{other} logit per example: negative once the example is misclassified. */
    private static double[] margins(UnaryOperator<Tensor> model, float[] rows, int n, int[] shape, int[] labels) {
        float[] out;
        int classes;
        try (var g = GradMode.noGrad()) {
            Tensor o = model.apply(Tensor.of(rows, shape)).reshape(n, -1);
            classes = o.size(1);
            out = o.toArray();
        }
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            double other = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) if (k != labels[i]) other = Math.max(other, out[i * classes + k]);
            m[i] = out[i * classes + labels[i]] - other;
        }
        return m;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "square linf eps=%s queries=%d", epsilon, queries);
    }
}
