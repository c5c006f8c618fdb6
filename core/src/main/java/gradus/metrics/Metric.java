package gradus.metrics;

import gradus.config.ConfigException;
import gradus.data.Batch;
import gradus.tensor.Tensor;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A metric computed over a stream of batches, as the trainer evaluates: {@link #update} per batch,
 * {@link #result} at the end, {@link #reset} before the next pass. Results are NaN before any data.
 */
public interface Metric {
    String name();

    void update(Tensor output, Batch batch);

    double result();

    void reset();

    /** Whether a larger result is better (accuracy) or worse (an error such as mse), for early stopping and checkpoints. */
    default boolean higherIsBetter() {
        return true;
    }

    /**
     * Fraction of correct predictions. Logits {@code [..., C]} are compared by argmax with the
     * labels (or with the argmax of one-hot/soft targets); a single logit per example ({@code [N]}
     * or {@code [N, 1]}) predicts class 1 when {@code logit > 0}, against labels 0/1 or targets
     * thresholded at 0.5.
     */
    static Metric accuracy() {
        return new Accuracy(0f);
    }

    /** Accuracy of a single-output model that emits probabilities (ends in a sigmoid): class 1 above {@code threshold}. */
    static Metric accuracy(float threshold) {
        return new Accuracy(threshold);
    }

    /** Fraction of examples whose label is among the {@code k} highest logits; named {@code top<k>_accuracy}. */
    static Metric topK(int k) {
        return new TopKAccuracy(k);
    }

    static Metric mse() {
        return new Regression("mse", RegressionMetrics::mse, false);
    }

    static Metric rmse() {
        return new Regression("rmse", RegressionMetrics::rmse, false);
    }

    static Metric mae() {
        return new Regression("mae", RegressionMetrics::mae, false);
    }

    static Metric r2() {
        return new Regression("r2", RegressionMetrics::r2, true);
    }

    /** By name, as written in a training YAML: accuracy, top5_accuracy (any k), mse, rmse, mae, r2. */
    static Metric fromName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        Matcher topK = Pattern.compile("top(\\d{1,4})_accuracy").matcher(n);
        if (topK.matches()) return topK(Integer.parseInt(topK.group(1)));
        return switch (n) {
            case "accuracy" -> accuracy();
            case "mse" -> mse();
            case "rmse" -> rmse();
            case "mae" -> mae();
            case "r2" -> r2();
            case "perplexity" -> new Perplexity();
            default -> throw new ConfigException("unknown metric '" + name + "'; known: accuracy, top<k>_accuracy (e.g. top5_accuracy), mse, rmse, mae, r2, perplexity");
        };
    }
}
