package gradus.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * BLEU as sacreBLEU computes it by default: the {@code 13a} tokenizer (mteval-v13a), n-grams up to 4,
 * clipped counts against the per-n-gram maximum over the references, the closest reference length
 * for the brevity penalty, and {@code exp} smoothing; scores are on 0–100.
 */
public final class Bleu {
    /** Highest n-gram order. */
    public static final int MAX_ORDER = 4;

    private static final Pattern PUNCTUATION = Pattern.compile("([\\{-~\\[-`\\x20-&\\(-+:-@/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private Bleu() {}

    /**
     * A BLEU score with its sufficient statistics.
     *
     * @param score          0–100
     * @param matches        clipped n-gram matches for n = 1..4
     * @param totals         hypothesis n-grams for n = 1..4
     * @param precisions     smoothed n-gram precisions in percent
     * @param brevityPenalty 1 when the hypotheses are at least as long as the references
     * @param hypLength      hypothesis tokens
     * @param refLength      reference tokens (closest reference per segment)
     */
    public record Result(double score, long[] matches, long[] totals, double[] precisions,
                         double brevityPenalty, long hypLength, long refLength) {
        /** Hypothesis length over reference length; 0 when there are no reference tokens. */
        public double ratio() {
            return refLength == 0 ? 0 : (double) hypLength / refLength;
        }

        /** As sacreBLEU prints it: {@code BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)}. */
        @Override
        public String toString() {
            StringBuilder p = new StringBuilder();
            for (double v : precisions) p.append(p.isEmpty() ? "" : "/").append(String.format(Locale.ROOT, "%.1f", v));
            return String.format(Locale.ROOT, "BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                    score, p, brevityPenalty, ratio(), hypLength, refLength);
        }
    }

    /**
     * Corpus BLEU: statistics summed over all segments, then one score. {@code references.get(i)}
     * holds the one or more references of {@code hypotheses.get(i)} (sacreBLEU takes them transposed,
     * as one stream per reference set).
     */
    public static Result corpus(List<String> hypotheses, List<List<String>> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException("BLEU needs one list of references per hypothesis: got "
                    + hypotheses.size() + " hypotheses and " + references.size() + " reference lists");
        }
        long[] stats = new long[2 + 2 * MAX_ORDER];
        for (int i = 0; i < hypotheses.size(); i++) addSegment(stats, hypotheses.get(i), references.get(i), i);
        return compute(stats, false);
    }

    /** Sentence BLEU of one hypothesis, as sacreBLEU's {@code sentence_bleu}: orders with no hypothesis n-grams are left out (effective order). */
    public static Result sentence(String hypothesis, List<String> references) {
        long[] stats = new long[2 + 2 * MAX_ORDER];
        addSegment(stats, hypothesis, references, 0);
        return compute(stats, true);
    }

    /** The {@code 13a} tokenization of one segment (tokens separated by single spaces). */
    public static String tokenize13a(String line) {
        line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0) {
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        line = " " + line + " ";
        line = PUNCTUATION.matcher(line).replaceAll(" $1 ");
        line = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(line).replaceAll("$1 $2 ");
        line = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(line).replaceAll(" $1 $2");
        line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
        return String.join(" ", PyText.split(line));
    }

    /** Adds one segment's hypothesis length, closest reference length, matches and totals to {@code stats}. */
    private static void addSegment(long[] stats, String hypothesis, List<String> references, int index) {
        if (hypothesis == null) throw new IllegalArgumentException("hypothesis " + index + " is null");
        if (references == null || references.isEmpty()) {
            throw new IllegalArgumentException("hypothesis " + index + " has no references");
        }
        Map<String, Integer> maxRefCounts = new HashMap<>();
        int[] refLengths = new int[references.size()];
        for (int r = 0; r < references.size(); r++) {
            String ref = references.get(r);
            if (ref == null) throw new IllegalArgumentException("reference " + r + " of hypothesis " + index + " is null");
            String[] tokens = PyText.split(tokenize13a(PyText.rstrip(ref)));
            refLengths[r] = tokens.length;
            ngramCounts(tokens).forEach((g, c) -> maxRefCounts.merge(g, c, Math::max));
        }
        String[] hyp = PyText.split(tokenize13a(PyText.rstrip(hypothesis)));
        stats[0] += hyp.length;
        stats[1] += closest(hyp.length, refLengths);
        for (var e : ngramCounts(hyp).entrySet()) {
            int n = order(e.getKey());
            stats[2 + n - 1] += Math.min(e.getValue(), maxRefCounts.getOrDefault(e.getKey(), 0));
            stats[2 + MAX_ORDER + n - 1] += e.getValue();
        }
    }

    /** The reference length closest to the hypothesis length; the shorter one on a tie. */
    private static int closest(int hypLength, int[] refLengths) {
        int best = refLengths[0];
        for (int len : refLengths) {
            int d = Math.abs(hypLength - len), bd = Math.abs(hypLength - best);
            if (d < bd || (d == bd && len < best)) best = len;
        }
        return best;
    }

    /** Counts of all 1..4-grams, keyed by their tokens joined with single spaces (tokens hold no whitespace). */
    private static Map<String, Integer> ngramCounts(String[] tokens) {
        Map<String, Integer> counts = new HashMap<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            sb.setLength(0);
            for (int n = 1; n <= MAX_ORDER && i + n <= tokens.length; n++) {
                if (n > 1) sb.append(' ');
                sb.append(tokens[i + n - 1]);
                counts.merge(sb.toString(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int order(String ngram) {
        int n = 1;
        for (int i = 0; i < ngram.length(); i++) if (ngram.charAt(i) == ' ') n++;
        return n;
    }

    /** sacreBLEU's {@code compute_bleu} with {@code exp} smoothing: a zero-match order n gets precision 100 / (2^k · total). */
    private static Result compute(long[] stats, boolean effectiveOrder) {
        long hypLen = stats[0], refLen = stats[1];
        long[] matches = Arrays.copyOfRange(stats, 2, 2 + MAX_ORDER);
        long[] totals = Arrays.copyOfRange(stats, 2 + MAX_ORDER, 2 + 2 * MAX_ORDER);
        double bp = hypLen >= refLen ? 1.0 : hypLen > 0 ? Math.exp(1 - (double) refLen / hypLen) : 0.0;
        double[] precisions = new double[MAX_ORDER];
        if (Arrays.stream(matches).allMatch(m -> m == 0)) return new Result(0, matches, totals, precisions, bp, hypLen, refLen);
        double smooth = 1;
        int order = MAX_ORDER;
        for (int n = 1; n <= MAX_ORDER; n++) {
            if (totals[n - 1] == 0) break;
            if (effectiveOrder) order = n;
            if (matches[n - 1] == 0) {
                smooth *= 2;
                precisions[n - 1] = 100.0 / (smooth * totals[n - 1]);
            } else {
                precisions[n - 1] = 100.0 * matches[n - 1] / totals[n - 1];
            }
        }
        double logSum = 0;
        // sacreBLEU floors log(0) at -9999999999, which drives the score to 0 without NaN
        for (int n = 0; n < order; n++) logSum += precisions[n] == 0 ? -9999999999.0 : Math.log(precisions[n]);
        return new Result(bp * Math.exp(logSum / order), matches, totals, precisions, bp, hypLen, refLen);
    }
}
