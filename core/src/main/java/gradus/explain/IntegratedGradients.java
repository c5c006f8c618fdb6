package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Integrated Gradients (Sundararajan et al. 2017): (x − x') · ∫₀¹ ∂f(x' + α(x − x'))/∂x dα, the integral by a
 * {@link Quadrature} rule. The path points of one input run as batches of up to {@code batchSize} rows, one
 * forward and one backward pass each. By the completeness axiom the attributions add up to f(x) − f(x');
 * {@link Result#gaps()} reports how far the quadrature is from that.
 */
public final class IntegratedGradients {
    private final UnaryOperator<Tensor> model;
    private int steps = 50;
    private Quadrature rule = Quadrature.GAUSS_LEGENDRE;
    private int batchSize = 64;
    private Tensor baseline;

    public IntegratedGradients(UnaryOperator<Tensor> model) {
        this.model = model;
    }

    /** Path points per input (default 50, as Captum). */
    public IntegratedGradients steps(int steps) {
        if (steps < 1) throw new IllegalArgumentException("Integrated Gradients needs at least 1 step, got " + steps);
        this.steps = steps;
        return this;
    }

    /** The integration rule (default Gauss–Legendre, as Captum). */
    public IntegratedGradients rule(Quadrature rule) {
        this.rule = rule;
        return this;
    }

    /** Path points per forward/backward pass (default 64). */
    public IntegratedGradients batchSize(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        this.batchSize = batchSize;
        return this;
    }

    /** The reference input x', one example's shape (broadcast to it) or null for zeros (the default). */
    public IntegratedGradients baseline(Tensor baseline) {
        this.baseline = baseline;
        return this;
    }

    /**
     * @param attributions same shape as the batch
     * @param gaps         per example, Σ attributions − (f(x) − f(x')): the quadrature error
     * @param deltas       per example, f(x) − f(x')
     */
    public record Result(Tensor attributions, double[] gaps, double[] deltas) {
        /** The largest |gap| relative to |f(x) − f(x')|. */
        public double relativeGap() {
            double worst = 0;
            for (int i = 0; i < gaps.length; i++) worst = Math.max(worst, Math.abs(gaps[i]) / Math.max(1e-12, Math.abs(deltas[i])));
            return worst;
        }
    }

    /** Attributions for every example of {@code batch} [N, ...] towards output {@code target}. */
    public Result attribute(Tensor batch, int target) {
        int n = batch.size(0);
        int[] shape = batch.shape();
        int[] one = shape.clone();
        one[0] = 1;
        Tensor base = baseline == null ? Tensor.zeros(one) : baselineFor(one);
        Quadrature.Nodes nodes = rule.nodes(steps);
        List<Tensor> attributions = new ArrayList<>();
        double[] gaps = new double[n], deltas = new double[n];
        for (int i = 0; i < n; i++) {
            Tensor x = batch.narrow(0, i, 1);
            Tensor diff = x.sub(base);
            Tensor integral = Tensor.zeros(one);
            for (int start = 0; start < steps; start += batchSize) {
                int m = Math.min(batchSize, steps - start);
                Tensor path = path(base, diff, nodes.alphas(), start, m);
                Tensor grads = Gradients.of(model, path, target).gradients();
                float[] w = new float[m];
                for (int k = 0; k < m; k++) w[k] = (float) nodes.weights()[start + k];
                int[] wShape = new int[shape.length];
                java.util.Arrays.fill(wShape, 1);
                wShape[0] = m;
                integral.addInPlace(grads.mul(Tensor.of(w, wShape)).sum(0, true));
            }
            Tensor attr = integral.mul(diff);
            double fx = value(x, target), fb = value(base, target);
            deltas[i] = fx - fb;
            gaps[i] = sum(attr) - deltas[i];
            attributions.add(attr);
        }
        return new Result(Tensor.concat(attributions, 0), gaps, deltas);
    }

    private Tensor baselineFor(int[] one) {
        if (baseline.numel() == Shape.numel(one)) return baseline.reshape(one);
        try {
            return Tensor.zeros(one).add(baseline); // broadcast, e.g. one value per channel
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseline of shape " + Shape.str(baseline.shape())
                    + " does not fit inputs of shape " + Shape.str(one));
        }
    }

    /** Rows x' + α_k (x − x') for k = start..start+m−1. */
    private static Tensor path(Tensor base, Tensor diff, double[] alphas, int start, int m) {
        int[] shape = base.shape();
        int[] aShape = new int[shape.length];
        java.util.Arrays.fill(aShape, 1);
        aShape[0] = m;
        float[] a = new float[m];
        for (int k = 0; k < m; k++) a[k] = (float) alphas[start + k];
        return base.add(diff.mul(Tensor.of(a, aShape)));
    }

    private double value(Tensor x, int target) {
        try (var g = GradMode.noGrad()) {
            return Outputs.column(model.apply(x), 1, target).item();
        }
    }

    static double sum(Tensor t) {
        double s = 0;
        for (float v : t.toArray()) s += v;
        return s;
    }
}
