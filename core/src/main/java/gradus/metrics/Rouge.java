package gradus.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L (sentence-level LCS) as Google's {@code rouge-score} package computes
 * them: lowercase, every run of characters outside {@code [a-z0-9]} becomes a token boundary,
 * optionally Porter-stemmed (words longer than 3 characters), then n-gram overlap or longest common
 * subsequence. Note the argument order: prediction first, as in {@link Bleu}, whereas
 * {@code RougeScorer.score} takes the target first.
 */
public final class Rouge {
    private Rouge() {}

    /** Precision (over the prediction), recall (over the reference) and their harmonic mean, each in [0, 1]. */
    public record Score(double precision, double recall, double fmeasure) {
        static Score of(double precision, double recall) {
            double sum = precision + recall;
            return new Score(precision, recall, sum > 0 ? 2 * precision * recall / sum : 0);
        }
    }

    /** The three scores of one prediction. */
    public record Result(Score rouge1, Score rouge2, Score rougeL) {}

    /** ROUGE-1, -2 and -L of {@code prediction} against one reference, without stemming. */
    public static Result score(String prediction, String reference) {
        return score(prediction, reference, false);
    }

    /** ROUGE-1, -2 and -L of {@code prediction} against one reference; {@code stem} applies the Porter stemmer. */
    public static Result score(String prediction, String reference, boolean stem) {
        List<String> p = tokenize(prediction, stem), r = tokenize(reference, stem);
        return new Result(rougeN(p, r, 1), rougeN(p, r, 2), rougeL(p, r));
    }

    /**
     * Against several references, as {@code RougeScorer.score_multi}: for each of ROUGE-1, -2 and -L
     * separately, the score against the reference with the highest F-measure (the first on a tie).
     */
    public static Result scoreMulti(String prediction, List<String> references, boolean stem) {
        if (references.isEmpty()) throw new IllegalArgumentException("ROUGE needs at least one reference");
        List<String> p = tokenize(prediction, stem);
        Score best1 = null, best2 = null, bestL = null;
        for (String reference : references) {
            List<String> r = tokenize(reference, stem);
            best1 = better(best1, rougeN(p, r, 1));
            best2 = better(best2, rougeN(p, r, 2));
            bestL = better(bestL, rougeL(p, r));
        }
        return new Result(best1, best2, bestL);
    }

    /**
     * The mean of each precision, recall and F-measure over a corpus, each prediction scored against its
     * references with {@link #scoreMulti} (the mean that rouge-score's bootstrap aggregator centres on).
     */
    public static Result mean(List<String> predictions, List<List<String>> references, boolean stem) {
        if (predictions.size() != references.size()) {
            throw new IllegalArgumentException("ROUGE needs one list of references per prediction: got "
                    + predictions.size() + " predictions and " + references.size() + " reference lists");
        }
        if (predictions.isEmpty()) throw new IllegalArgumentException("ROUGE of an empty corpus is undefined");
        double[] sums = new double[9];
        for (int i = 0; i < predictions.size(); i++) {
            Result r = scoreMulti(predictions.get(i), references.get(i), stem);
            Score[] s = {r.rouge1, r.rouge2, r.rougeL};
            for (int k = 0; k < 3; k++) {
                sums[3 * k] += s[k].precision;
                sums[3 * k + 1] += s[k].recall;
                sums[3 * k + 2] += s[k].fmeasure;
            }
        }
        double n = predictions.size();
        return new Result(new Score(sums[0] / n, sums[1] / n, sums[2] / n),
                new Score(sums[3] / n, sums[4] / n, sums[5] / n),
                new Score(sums[6] / n, sums[7] / n, sums[8] / n));
    }

    /** rouge-score's default tokenizer: lowercase, split on anything outside [a-z0-9], stem words longer than 3 characters. */
    public static List<String> tokenize(String text, boolean stem) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        int i = 0, n = lower.length();
        while (i < n) {
            while (i < n && !isAlnum(lower.charAt(i))) i++;
            int start = i;
            while (i < n && isAlnum(lower.charAt(i))) i++;
            if (i > start) {
                String t = lower.substring(start, i);
                tokens.add(stem && t.length() > 3 ? PorterStemmer.stem(t) : t);
            }
        }
        return tokens;
    }

    /** ROUGE-N from clipped n-gram overlap; an empty side gives 0. */
    public static Score rougeN(List<String> prediction, List<String> reference, int n) {
        if (n < 1) throw new IllegalArgumentException("ROUGE-N needs n >= 1, got " + n);
        Map<List<String>, Integer> pred = ngrams(prediction, n), ref = ngrams(reference, n);
        long overlap = 0;
        for (var e : ref.entrySet()) overlap += Math.min(e.getValue(), pred.getOrDefault(e.getKey(), 0));
        long predTotal = Math.max(prediction.size() - n + 1, 0), refTotal = Math.max(reference.size() - n + 1, 0);
        return Score.of((double) overlap / Math.max(predTotal, 1), (double) overlap / Math.max(refTotal, 1));
    }

    /** ROUGE-L: the longest common subsequence over the prediction (precision) and the reference (recall). */
    public static Score rougeL(List<String> prediction, List<String> reference) {
        if (prediction.isEmpty() || reference.isEmpty()) return new Score(0, 0, 0);
        Map<String, Integer> vocab = new HashMap<>();
        int lcs = lcsLength(ids(prediction, vocab), ids(reference, vocab));
        return Score.of((double) lcs / prediction.size(), (double) lcs / reference.size());
    }

    private static Score better(Score best, Score candidate) {
        return best == null || candidate.fmeasure > best.fmeasure ? candidate : best;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) counts.merge(tokens.subList(i, i + n), 1, Integer::sum);
        return counts;
    }

    /** Tokens as ids from a vocabulary shared by both sides, so the LCS loop compares ints. */
    private static int[] ids(List<String> tokens, Map<String, Integer> vocab) {
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) out[i] = vocab.computeIfAbsent(tokens.get(i), t -> vocab.size());
        return out;
    }

    /** LCS length with one rolling row of the dynamic-programming table. */
    static int lcsLength(int[] a, int[] b) {
        int[] row = new int[b.length + 1];
        for (int x : a) {
            int diagonal = 0;
            for (int j = 1; j <= b.length; j++) {
                int above = row[j];
                row[j] = x == b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]);
                diagonal = above;
            }
        }
        return row[b.length];
    }
}
