package gradus.models;

import gradus.tensor.Rng;

import java.util.Arrays;

/** Picks the next token from one row of logits according to a {@link GenerationConfig} (also for gradus.llm's GGUF models). */
public final class Sampler {
    private final GenerationConfig config;
    private final Rng rng;

    public Sampler(GenerationConfig config, Rng rng) {
        this.config = config;
        this.rng = rng;
    }

    /** The next token; {@code logits} is modified; {@code seen} marks tokens already in the sequence. */
    public int next(float[] logits, boolean[] seen) {
        float penalty = config.repetitionPenalty();
        if (penalty != 1f) {
            for (int i = 0; i < logits.length; i++) {
                if (seen[i]) logits[i] = logits[i] > 0 ? logits[i] / penalty : logits[i] * penalty;
            }
        }
        if (config.isGreedy()) return argmax(logits);
        int[] order = byDescendingLogit(logits);
        int keep = logits.length;
        if (config.topK() > 0 && config.topK() < keep) {
            // Ties with the k-th logit stay in, as in Hugging Face's filter.
            float kth = logits[order[config.topK() - 1]];
            keep = config.topK();
            while (keep < logits.length && logits[order[keep]] == kth) keep++;
        }
        double inv = 1.0 / config.temperature(), max = logits[order[0]];
        double[] p = new double[keep];
        double total = 0;
        for (int r = 0; r < keep; r++) {
            p[r] = Math.exp((logits[order[r]] - max) * inv);
            total += p[r];
        }
        if (config.topP() < 1f) {
            // The smallest most-likely prefix whose probability reaches topP (always at least one token).
            double cumulative = 0;
            int n = 0;
            while (n < keep && cumulative < config.topP() * total) cumulative += p[n++];
            keep = n;
            total = cumulative;
        }
        double u = rng.nextDouble() * total;
        for (int r = 0; r < keep; r++) {
            u -= p[r];
            if (u < 0) return order[r];
        }
        return order[keep - 1];
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    private static int[] byDescendingLogit(float[] logits) {
        Integer[] idx = new Integer[logits.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Float.compare(logits[b], logits[a]));
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }
}
