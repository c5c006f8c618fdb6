package gradus.metrics;

import gradus.data.Batch;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/** Streaming accuracy; see {@link Metric#accuracy()}. */
final class Accuracy implements Metric {
    private final float threshold;
    private long correct, total;

    Accuracy(float threshold) {
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public void update(Tensor output, Batch batch) {
        int[] predicted = Predictions.classes(output, threshold);
        boolean binary = Predictions.isBinary(output);
        if (batch.labels() != null) {
            int[] y = batch.labels().data();
            Predictions.checkRows("accuracy", output, predicted.length, y.length);
            for (int i = 0; i < y.length; i++) {
                if (binary && y[i] != 0 && y[i] != 1) {
                    throw new IllegalArgumentException("accuracy of a single-logit output needs labels 0 or 1, got " + y[i]
                            + " at index " + i + "; for several classes the model needs one output per class");
                }
                if (predicted[i] == y[i]) correct++;
            }
            total += y.length;
            return;
        }
        Tensor targets = batch.targets();
        int[] expected;
        if (binary) {
            float[] t = targets.contiguousData();
            expected = new int[t.length];
            for (int i = 0; i < t.length; i++) expected[i] = t[i] > 0.5f ? 1 : 0;
        } else {
            if (!Arrays.equals(output.shape(), targets.shape())) {
                throw new IllegalArgumentException("accuracy: output of shape " + Shape.str(output.shape())
                        + " does not match targets of shape " + Shape.str(targets.shape()));
            }
            expected = Predictions.classes(targets);
        }
        Predictions.checkRows("accuracy", output, predicted.length, expected.length);
        for (int i = 0; i < expected.length; i++) if (predicted[i] == expected[i]) correct++;
        total += expected.length;
    }

    @Override
    public double result() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    @Override
    public void reset() {
        correct = total = 0;
    }
}
