package gradus.metrics;

import gradus.data.Batch;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/**
 * Perplexity, {@code exp} of the mean per-token cross-entropy in nats. Accumulates over batches
 * weighted by their token counts, so the result is the corpus perplexity (not a mean of batch
 * perplexities). As a {@link Metric} it reads logits {@code [..., vocab]} and one label per row.
 */
public final class Perplexity implements Metric {
    private double nats;
    private long tokens;

    /** The perplexity of a mean cross-entropy in nats (natural log), e.g. a language model's loss. */
    public static double of(double meanCrossEntropy) {
        return Math.exp(meanCrossEntropy);
    }

    /** Adds a batch whose mean per-token cross-entropy is {@code meanCrossEntropy} nats over {@code tokens} tokens. */
    public Perplexity add(double meanCrossEntropy, long tokens) {
        if (tokens < 0) throw new IllegalArgumentException("token count must be >= 0, got " + tokens);
        if (tokens > 0) {
            nats += meanCrossEntropy * tokens;
            this.tokens += tokens;
        }
        return this;
    }

    /** Adds one cross-entropy (nats) per token, e.g. an unreduced loss. */
    public Perplexity add(Tensor tokenLosses) {
        float[] d = tokenLosses.contiguousData();
        double sum = 0;
        for (float v : d) sum += v;
        nats += sum;
        tokens += d.length;
        return this;
    }

    /** Tokens seen so far. */
    public long tokens() {
        return tokens;
    }

    /** Mean cross-entropy per token in nats; NaN before any token. */
    public double meanCrossEntropy() {
        return tokens == 0 ? Double.NaN : nats / tokens;
    }

    @Override
    public String name() {
        return "perplexity";
    }

    /** Cross-entropy of each row of logits {@code output} ({@code [..., vocab]}) against its label. */
    @Override
    public void update(Tensor output, Batch batch) {
        if (batch.labels() == null) throw new IllegalArgumentException("perplexity needs integer labels (token ids), the batch has none");
        if (output.dim() < 1) throw new IllegalArgumentException("perplexity needs logits of shape [..., vocab], got a scalar");
        int v = output.size(-1);
        float[] d = output.contiguousData();
        int rows = d.length / Math.max(v, 1);
        int[] y = batch.labels().data();
        Predictions.checkRows("perplexity", output, rows, y.length);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int label = y[r];
            if (label < 0 || label >= v) {
                throw new IndexOutOfBoundsException("label " + label + " at row " + r + " is out of range for logits of shape " + Shape.str(output.shape()));
            }
            int base = r * v;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, d[base + j]);
            double z = 0;
            for (int j = 0; j < v; j++) z += Math.exp(d[base + j] - max);
            sum += max + Math.log(z) - d[base + label];
        }
        nats += sum;
        tokens += rows;
    }

    /** The perplexity so far; NaN before any token. */
    @Override
    public double result() {
        return Math.exp(meanCrossEntropy());
    }

    @Override
    public void reset() {
        nats = 0;
        tokens = 0;
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }
}
