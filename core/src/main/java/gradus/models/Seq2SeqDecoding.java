package gradus.models;

import gradus.autograd.GradMode;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Output sequences of an encoder–decoder: greedy, sampled (temperature, top-k, top-p through {@link Sampler})
 * and beam search with a length penalty. The search runs over a {@link Step}, so it can be tested on a
 * constructed distribution; {@link #step} binds it to a {@link Seq2SeqTransformer} and one source.
 * Outputs exclude the end token.
 */
public final class Seq2SeqDecoding {
    private Seq2SeqDecoding() {}

    /** Next-token logits for prefixes of equal length (the generated tokens so far, no start token): [n][vocab]. */
    @FunctionalInterface
    public interface Step {
        float[][] logits(int[][] prefixes);
    }

    /**
     * A finished output: {@code tokens} (no end token), {@code logProb} the sum of the log-probabilities of
     * its tokens and of the end token when it has one, {@code score} the beam's ranking: logProb / length^α
     * with length counting the end token.
     */
    public record Hypothesis(int[] tokens, double logProb, double score) {}

    /** How to decode: beams 1 with temperature 0 is greedy; beams 1 with a temperature samples; beams > 1 is beam search. */
    public record Settings(int beams, float lengthPenalty, GenerationConfig sampling) {
        public Settings {
            if (beams < 1) throw new IllegalArgumentException("beams must be >= 1, got " + beams);
            if (beams > 1 && sampling != null) throw new IllegalArgumentException("beam search does not sample: give beams 1 or no sampling");
        }

        public static Settings greedy() {
            return new Settings(1, 0f, null);
        }

        public static Settings beam(int beams, float lengthPenalty) {
            return new Settings(beams, lengthPenalty, null);
        }

        public static Settings sampled(GenerationConfig sampling) {
            return new Settings(1, 0f, sampling);
        }
    }

    /** The output for {@code settings}, at most {@code maxTokens} tokens plus the end token. */
    public static int[] decode(Step step, int maxTokens, int eos, Settings settings) {
        if (settings.sampling() != null) return sample(step, maxTokens, eos, settings.sampling());
        return settings.beams() == 1 ? greedy(step, maxTokens, eos) : beam(step, maxTokens, eos, settings.beams(), settings.lengthPenalty()).tokens();
    }

    /** The most likely token at each step until {@code eos} or {@code maxTokens} tokens. */
    public static int[] greedy(Step step, int maxTokens, int eos) {
        int[] out = new int[0];
        while (out.length < maxTokens) {
            int next = Sampler.argmax(step.logits(new int[][]{out})[0]);
            if (next == eos) break;
            out = append(out, next);
        }
        return out;
    }

    /** Tokens drawn by {@link Sampler} (repetition penalty, temperature, top-k, top-p, seed from {@code config}). */
    public static int[] sample(Step step, int maxTokens, int eos, GenerationConfig config) {
        Sampler sampler = new Sampler(config, new Rng(config.seed()));
        int[] out = new int[0];
        boolean[] seen = null;
        while (out.length < maxTokens) {
            float[] logits = step.logits(new int[][]{out})[0];
            if (seen == null) seen = new boolean[logits.length];
            int next = sampler.next(logits, seen);
            if (next == eos) break;
            seen[next] = true;
            out = append(out, next);
        }
        return out;
    }

    /**
     * Beam search keeping {@code beams} live prefixes ranked by total log-probability. At each step the best
     * 2·beams extensions are scanned in order: an end token among the first {@code beams} finishes that
     * prefix, other extensions fill the next live set. It stops once {@code beams} outputs have finished
     * (Hugging Face's early_stopping=True) or at {@code maxTokens}, where the live prefixes count as
     * finished; the output is the finished one with the best logProb / length^lengthPenalty. With one beam
     * this is greedy decoding.
     */
    public static Hypothesis beam(Step step, int maxTokens, int eos, int beams, float lengthPenalty) {
        if (beams < 1) throw new IllegalArgumentException("beams must be >= 1, got " + beams);
        List<int[]> live = List.of(new int[0]);
        double[] liveScores = {0};
        List<Hypothesis> finished = new ArrayList<>();
        for (int len = 0; len < maxTokens && finished.size() < beams; len++) {
            float[][] logits = step.logits(live.toArray(new int[0][]));
            int vocab = logits[0].length;
            double[][] logProbs = new double[live.size()][];
            for (int h = 0; h < live.size(); h++) logProbs[h] = logSoftmax(logits[h]);
            // the best 2·beams (prefix, token) pairs by total log-probability; ties to the lower prefix, then token
            int want = Math.min(2 * beams, live.size() * vocab);
            long[] best = topPairs(logProbs, liveScores, want);
            List<int[]> next = new ArrayList<>();
            double[] nextScores = new double[beams];
            for (int rank = 0; rank < best.length && next.size() < beams; rank++) {
                int h = (int) (best[rank] / vocab), token = (int) (best[rank] % vocab);
                double total = liveScores[h] + logProbs[h][token];
                if (token == eos) {
                    if (rank < beams) finished.add(hypothesis(live.get(h), total, len + 1, lengthPenalty));
                } else {
                    nextScores[next.size()] = total;
                    next.add(append(live.get(h), token));
                }
            }
            live = next;
            liveScores = Arrays.copyOf(nextScores, next.size());
            if (live.isEmpty()) break;
        }
        if (finished.size() < beams) {
            for (int h = 0; h < live.size(); h++) finished.add(hypothesis(live.get(h), liveScores[h], live.get(h).length, lengthPenalty));
        }
        return finished.stream().max(Comparator.comparingDouble(Hypothesis::score)).orElseThrow();
    }

    /** The total log-probability of {@code tokens} followed by {@code eos} (null: no end token) under {@code step}. */
    public static double logProb(Step step, int[] tokens, Integer eos) {
        double total = 0;
        int n = tokens.length + (eos == null ? 0 : 1);
        for (int i = 0; i < n; i++) {
            double[] lp = logSoftmax(step.logits(new int[][]{Arrays.copyOf(tokens, i)})[0]);
            total += lp[i < tokens.length ? tokens[i] : eos];
        }
        return total;
    }

    /**
     * The decoding step of {@code model} for one source (ids without padding, at most source_length): the source is
     * encoded once; each call runs the decoder over BOS + prefix for every prefix at once, in eval mode, without gradients.
     * The pad and start ids, and {@code banned} ids (such as the tokenizer's unknown id; negative ids are skipped), get
     * logit −∞: an output never holds them, whatever the decoding.
     */
    public static Step step(Seq2SeqTransformer model, int[] source, int... banned) {
        Seq2SeqConfig c = model.seq2seqConfig();
        int[] never = neverEmitted(c, banned);
        if (source.length == 0) throw new IllegalArgumentException("the source is empty: give at least one token");
        IntTensor src = IntTensor.of(source, 1, source.length);
        Tensor memory;
        try (var g = GradMode.noGrad()) {
            memory = model.encode(src);
        }
        return prefixes -> {
            int n = prefixes.length, t = prefixes[0].length + 1;
            int[] ids = new int[n * t];
            for (int i = 0; i < n; i++) {
                ids[i * t] = c.bosId();
                System.arraycopy(prefixes[i], 0, ids, i * t + 1, t - 1);
            }
            int[] srcRows = new int[n * source.length];
            for (int i = 0; i < n; i++) System.arraycopy(source, 0, srcRows, i * source.length, source.length);
            try (var g = GradMode.noGrad()) {
                Tensor mem = n == 1 ? memory : memory.expand(n, memory.size(1), memory.size(2)).contiguous();
                Tensor logits = model.decode(IntTensor.of(ids, n, t), mem, IntTensor.of(srcRows, n, source.length));
                float[] last = logits.select(1, t - 1).contiguousData();
                int v = c.vocabSize();
                float[][] rows = new float[n][];
                for (int i = 0; i < n; i++) {
                    rows[i] = Arrays.copyOfRange(last, i * v, (i + 1) * v);
                    for (int id : never) rows[i][id] = Float.NEGATIVE_INFINITY;
                }
                return rows;
            }
        };
    }

    /**
     * The output for one source under {@code settings}: at most target_length − 1 tokens (the decoder's positions, less
     * the start token), never pad, start or {@code banned} ids (see {@link #step}).
     */
    public static int[] generate(Seq2SeqTransformer model, int[] source, Settings settings, int... banned) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try {
            Seq2SeqConfig c = model.seq2seqConfig();
            return decode(step(model, source, banned), c.targetLength() - 1, c.eosId(), settings);
        } finally {
            if (wasTraining) model.train();
        }
    }

    /** Pad, start and {@code banned} ids other than the end token, checked against the vocabulary. */
    private static int[] neverEmitted(Seq2SeqConfig c, int[] banned) {
        int[] ids = Arrays.copyOf(banned, banned.length + 2);
        ids[banned.length] = c.padId();
        ids[banned.length + 1] = c.bosId();
        for (int id : ids) {
            if (id >= c.vocabSize()) throw new IllegalArgumentException("banned token id " + id + " is outside the vocabulary of " + c.vocabSize());
        }
        return Arrays.stream(ids).filter(id -> id >= 0 && id != c.eosId()).distinct().toArray();
    }

    private static Hypothesis hypothesis(int[] tokens, double logProb, int length, float lengthPenalty) {
        return new Hypothesis(tokens, logProb, logProb / Math.pow(Math.max(length, 1), lengthPenalty));
    }

    /** The {@code want} best (prefix · vocab + token) pairs: the best {@code want} tokens of each prefix, then merged. */
    private static long[] topPairs(double[][] logProbs, double[] scores, int want) {
        int vocab = logProbs[0].length;
        List<Long> candidates = new ArrayList<>();
        for (int h = 0; h < logProbs.length; h++) {
            for (int token : topTokens(logProbs[h], Math.min(want, vocab))) candidates.add((long) h * vocab + token);
        }
        candidates.sort((a, b) -> {
            double sa = scores[(int) (a / vocab)] + logProbs[(int) (a / vocab)][(int) (a % vocab)];
            double sb = scores[(int) (b / vocab)] + logProbs[(int) (b / vocab)][(int) (b % vocab)];
            return sa != sb ? Double.compare(sb, sa) : Long.compare(a, b);
        });
        long[] out = new long[Math.min(want, candidates.size())];
        for (int i = 0; i < out.length; i++) out[i] = candidates.get(i);
        return out;
    }

    /** Indices of the k largest values, largest first, ties to the lower index. */
    private static int[] topTokens(double[] v, int k) {
        int[] top = new int[k];
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            if (n == k && v[i] <= v[top[k - 1]]) continue;
            int at = n < k ? n++ : k - 1;
            while (at > 0 && v[top[at - 1]] < v[i]) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = i;
        }
        return Arrays.copyOf(top, n);
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        double log = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = logits[i] - log;
        return out;
    }

    private static int[] append(int[] a, int v) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }
}
