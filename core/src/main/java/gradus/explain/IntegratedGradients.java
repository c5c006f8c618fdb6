package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

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

    /**
     * Attributions for every example of {@code batch} [N, ...] towards output {@code target}. The N × steps path
     * points run as chunks of {@code batchSize} rows, across examples, so small inputs share a pass.
     */
    public Result attribute(Tensor batch, int target) {
        int n = batch.size(0);
        int[] one = batch.shape().clone();
        one[0] = 1;
        int size = Shape.numel(one);
        float[] base = (baseline == null ? Tensor.zeros(one) : baselineFor(one)).toArray();
        float[] xs = batch.toArray(), diff = new float[xs.length];
        for (int j = 0; j < xs.length; j++) diff[j] = xs[j] - base[j % size];
        Quadrature.Nodes nodes = rule.nodes(steps);
        double[] integral = new double[xs.length];
        long rows = (long) n * steps;
        for (long first = 0; first < rows; first += batchSize) {
            int m = (int) Math.min(batchSize, rows - first);
            float[] path = new float[m * size];
            for (int r = 0; r < m; r++) {
                int i = (int) ((first + r) / steps), k = (int) ((first + r) % steps);
                float a = (float) nodes.alphas()[k];
                for (int j = 0; j < size; j++) path[r * size + j] = base[j] + diff[i * size + j] * a;
            }
            int[] shape = one.clone();
            shape[0] = m;
            float[] grads = Gradients.of(model, Tensor.of(path, shape), target).gradients().toArray();
            for (int r = 0; r < m; r++) {
                int i = (int) ((first + r) / steps), k = (int) ((first + r) % steps);
                double w = nodes.weights()[k];
                for (int j = 0; j < size; j++) integral[i * size + j] += w * grads[r * size + j];
            }
        }
        float[] attr = new float[xs.length];
        for (int j = 0; j < xs.length; j++) attr[j] = (float) (integral[j] * diff[j]);
        double[] fx = values(batch, target), gaps = new double[n], deltas = new double[n];
        double fb = values(Tensor.of(base, one), target)[0];
        for (int i = 0; i < n; i++) {
            deltas[i] = fx[i] - fb;
            double sum = 0;
            for (int j = 0; j < size; j++) sum += attr[i * size + j];
            gaps[i] = sum - deltas[i];
        }
        return new Result(Tensor.of(attr, batch.shape()), gaps, deltas);
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

    private double[] values(Tensor x, int target) {
        try (var g = GradMode.noGrad()) {
            float[] v = Outputs.column(model.apply(x), x.size(0), target).toArray();
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) out[i] = v[i];
            return out;
        }
    }
}
