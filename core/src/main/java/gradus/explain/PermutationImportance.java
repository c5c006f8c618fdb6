package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * Permutation feature importance (Breiman 2001): how much a score drops when one feature's column is shuffled
 * across the examples, breaking its link to the target. Classification scores accuracy, regression the negative
 * mean squared error, so a larger drop always means a more important feature. Seeded.
 */
public final class PermutationImportance {
    private PermutationImportance() {}

    /**
     * @param baseline the score on the unshuffled data
     * @param mean     per feature, the mean drop over the repeats
     * @param std      per feature, the standard deviation of the drop
     */
    public record Result(double baseline, double[] mean, double[] std) {}

    /** Classification: {@code labels[i]} is the class of row i; accuracy of the output's argmax. */
    public static Result classification(UnaryOperator<Tensor> model, Tensor x, int[] labels, int repeats, long seed) {
        return run(model, x, repeats, seed, out -> {
            int[] predicted = Outputs.argmax(out);
            int right = 0;
            for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) right++;
            return (double) right / labels.length;
        }, labels.length);
    }

    /** Regression: negative mean squared error of the single output against {@code targets}. */
    public static Result regression(UnaryOperator<Tensor> model, Tensor x, float[] targets, int repeats, long seed) {
        return run(model, x, repeats, seed, out -> {
            float[] p = out.reshape(-1).toArray();
            double se = 0;
            for (int i = 0; i < targets.length; i++) se += (p[i] - targets[i]) * (double) (p[i] - targets[i]);
            return -se / targets.length;
        }, targets.length);
    }

    private static Result run(UnaryOperator<Tensor> model, Tensor x, int repeats, long seed,
                              java.util.function.ToDoubleFunction<Tensor> score, int rows) {
        if (x.dim() != 2 || x.size(0) != rows) {
            throw new IllegalArgumentException("permutation importance needs a table [rows, features] with one target per row; got "
                    + Shape.str(x.shape()) + " and " + rows + " targets");
        }
        if (repeats < 1) throw new IllegalArgumentException("repeats must be positive, got " + repeats);
        int n = x.size(0), m = x.size(1);
        float[] data = x.toArray();
        Rng rng = new Rng(seed);
        try (var g = GradMode.noGrad()) {
            double base = score.applyAsDouble(model.apply(x));
            double[] mean = new double[m], std = new double[m];
            for (int j = 0; j < m; j++) {
                double[] drops = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    float[] shuffled = data.clone();
                    int[] perm = rng.permutation(n);
                    for (int i = 0; i < n; i++) shuffled[i * m + j] = data[perm[i] * m + j];
                    drops[r] = base - score.applyAsDouble(model.apply(Tensor.of(shuffled, n, m)));
                    mean[j] += drops[r] / repeats;
                }
                double var = 0;
                for (double d : drops) var += (d - mean[j]) * (d - mean[j]) / repeats;
                std[j] = Math.sqrt(var);
            }
            return new Result(base, mean, std);
        }
    }
}
