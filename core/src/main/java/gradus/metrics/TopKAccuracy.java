package gradus.metrics;

import gradus.data.Batch;
import gradus.tensor.Tensor;

/** Streaming top-k accuracy; see {@link Metric#topK(int)}. */
final class TopKAccuracy implements Metric {
    private final int k;
    private long correct, total;

    TopKAccuracy(int k) {
        if (k < 1) throw new IllegalArgumentException("top-k accuracy needs k >= 1, got " + k);
        this.k = k;
    }

    @Override
    public String name() {
        return "top" + k + "_accuracy";
    }

    @Override
    public void update(Tensor output, Batch batch) {
        if (batch.labels() == null) throw new IllegalArgumentException(name() + " needs class labels in the batch");
        correct += TopK.correct(output, batch.labels(), k);
        total += batch.labels().numel();
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
