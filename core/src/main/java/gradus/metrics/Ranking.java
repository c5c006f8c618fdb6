package gradus.metrics;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleBiFunction;

/**
 * Retrieval and recommendation metrics over ranked outputs: precision@k, recall@k, hit rate@k,
 * reciprocal rank, NDCG@k and average precision (MAP), per query and as means over queries. A ranking lists items best first; the
 * relevant items are a set. Precision@k divides by k even when fewer than k items are ranked (the
 * TREC convention), so a short list is not rewarded.
 */
public final class Ranking {
    private Ranking() {}

    /** Fraction of the top {@code k} positions that hold a relevant item. */
    public static <T> double precisionAtK(List<T> ranked, Collection<T> relevant, int k) {
        return (double) hits(ranked, relevant, k) / k;
    }

    /** Fraction of the relevant items that appear in the top {@code k}; needs at least one relevant item. */
    public static <T> double recallAtK(List<T> ranked, Collection<T> relevant, int k) {
        if (relevant.isEmpty()) throw new IllegalArgumentException("recall@k is undefined for a query with no relevant items");
        return (double) hits(ranked, relevant, k) / Set.copyOf(relevant).size();
    }

    /** 1 if any relevant item is in the top {@code k}, else 0. */
    public static <T> double hitAtK(List<T> ranked, Collection<T> relevant, int k) {
        return hits(ranked, relevant, k) > 0 ? 1 : 0;
    }

    /** 1 / (1-based position of the first relevant item), or 0 if none is ranked. */
    public static <T> double reciprocalRank(List<T> ranked, Collection<T> relevant) {
        Set<T> rel = Set.copyOf(relevant);
        checkDistinct(ranked, ranked.size());
        for (int i = 0; i < ranked.size(); i++) if (rel.contains(ranked.get(i))) return 1.0 / (i + 1);
        return 0;
    }

    /**
     * Normalized discounted cumulative gain at k with binary relevance: Σ over relevant items in the top k of
     * 1/log2(position + 1), divided by the same sum for an ideal ranking (the first min(k, |relevant|) positions
     * relevant). Spark MLlib's RankingMetrics.ndcgAt convention; needs at least one relevant item.
     */
    public static <T> double ndcgAtK(List<T> ranked, Collection<T> relevant, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        Set<T> rel = Set.copyOf(relevant);
        if (rel.isEmpty()) throw new IllegalArgumentException("NDCG@k is undefined for a query with no relevant items");
        int top = Math.min(k, ranked.size());
        checkDistinct(ranked, top);
        double dcg = 0, ideal = 0;
        for (int i = 0; i < top; i++) if (rel.contains(ranked.get(i))) dcg += discount(i);
        for (int i = 0; i < Math.min(k, rel.size()); i++) ideal += discount(i);
        return dcg / ideal;
    }

    /** 1 / log2(i + 2): the gain of the item at 0-based position i. */
    private static double discount(int i) {
        return Math.log(2) / Math.log(i + 2);
    }

    /**
     * Average precision over the whole ranking: the mean, over the relevant items, of precision at the position of
     * each (0 for a relevant item not ranked); its mean over queries is MAP. Needs at least one relevant item.
     */
    public static <T> double averagePrecision(List<T> ranked, Collection<T> relevant) {
        return averagePrecision(ranked, relevant, ranked.size(), Set.copyOf(relevant).size());
    }

    /** Average precision of the top k, divided by min(k, |relevant|) (Spark's meanAveragePrecisionAt convention). */
    public static <T> double averagePrecisionAtK(List<T> ranked, Collection<T> relevant, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        return averagePrecision(ranked, relevant, Math.min(k, ranked.size()), Math.min(k, Set.copyOf(relevant).size()));
    }

    private static <T> double averagePrecision(List<T> ranked, Collection<T> relevant, int top, int denominator) {
        Set<T> rel = Set.copyOf(relevant);
        if (rel.isEmpty()) throw new IllegalArgumentException("average precision is undefined for a query with no relevant items");
        checkDistinct(ranked, top);
        double sum = 0;
        int hits = 0;
        for (int i = 0; i < top; i++) {
            if (rel.contains(ranked.get(i))) sum += (double) ++hits / (i + 1);
        }
        return sum / denominator;
    }

    /** Mean NDCG@k over queries; every query needs at least one relevant item. */
    public static <T> double meanNdcgAtK(List<List<T>> ranked, List<? extends Collection<T>> relevant, int k) {
        return mean("NDCG@k", ranked, relevant, (r, rel) -> ndcgAtK(r, rel, k));
    }

    /** Mean average precision (MAP) over queries. */
    public static <T> double meanAveragePrecision(List<List<T>> ranked, List<? extends Collection<T>> relevant) {
        return mean("MAP", ranked, relevant, Ranking::averagePrecision);
    }

    /** MAP@k: mean over queries of {@link #averagePrecisionAtK}. */
    public static <T> double meanAveragePrecisionAtK(List<List<T>> ranked, List<? extends Collection<T>> relevant, int k) {
        return mean("MAP@k", ranked, relevant, (r, rel) -> averagePrecisionAtK(r, rel, k));
    }

    /** Mean precision@k over queries; {@code relevant.get(q)} holds the relevant items of {@code ranked.get(q)}. */
    public static <T> double meanPrecisionAtK(List<List<T>> ranked, List<? extends Collection<T>> relevant, int k) {
        return mean("precision@k", ranked, relevant, (r, rel) -> precisionAtK(r, rel, k));
    }

    /** Mean recall@k over queries; every query needs at least one relevant item. */
    public static <T> double meanRecallAtK(List<List<T>> ranked, List<? extends Collection<T>> relevant, int k) {
        return mean("recall@k", ranked, relevant, (r, rel) -> recallAtK(r, rel, k));
    }

    /** Fraction of queries with a relevant item in the top {@code k}. */
    public static <T> double hitRateAtK(List<List<T>> ranked, List<? extends Collection<T>> relevant, int k) {
        return mean("hit rate@k", ranked, relevant, (r, rel) -> hitAtK(r, rel, k));
    }

    /** Mean reciprocal rank (MRR) over queries. */
    public static <T> double meanReciprocalRank(List<List<T>> ranked, List<? extends Collection<T>> relevant) {
        return mean("MRR", ranked, relevant, Ranking::reciprocalRank);
    }

    /**
     * The ranking of each row of {@code scores} ({@code [queries, items]}): item indices by descending
     * score, ties to the lower index. NaN scores rank last.
     */
    public static List<List<Integer>> rank(Tensor scores) {
        if (scores.dim() != 2) throw new IllegalArgumentException("rank needs scores of shape [queries, items], got " + Shape.str(scores.shape()));
        int q = scores.size(0), n = scores.size(1);
        float[] d = scores.contiguousData();
        List<List<Integer>> out = new ArrayList<>(q);
        for (int r = 0; r < q; r++) {
            int base = r * n;
            List<Integer> order = new ArrayList<>(n);
            for (int i = 0; i < n; i++) order.add(i);
            // stable sort: equal scores keep index order; Float.compare puts NaN above +inf, so negate it to rank NaN last
            order.sort((a, b) -> {
                float x = d[base + a], y = d[base + b];
                if (Float.isNaN(x) || Float.isNaN(y)) return Boolean.compare(Float.isNaN(x), Float.isNaN(y));
                return Float.compare(y, x);
            });
            out.add(order);
        }
        return out;
    }

    private static <T> int hits(List<T> ranked, Collection<T> relevant, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        int top = Math.min(k, ranked.size());
        checkDistinct(ranked, top);
        Set<T> rel = Set.copyOf(relevant);
        int hits = 0;
        for (int i = 0; i < top; i++) if (rel.contains(ranked.get(i))) hits++;
        return hits;
    }

    /** An item ranked twice would count twice: a bug in the ranking, reported rather than scored. */
    private static <T> void checkDistinct(List<T> ranked, int top) {
        Map<T, Integer> seen = new HashMap<>();
        for (int i = 0; i < top; i++) {
            Integer before = seen.putIfAbsent(ranked.get(i), i);
            if (before != null) {
                throw new IllegalArgumentException("item " + ranked.get(i) + " is ranked twice, at positions " + (before + 1) + " and " + (i + 1));
            }
        }
    }

    private static <T> double mean(String what, List<List<T>> ranked, List<? extends Collection<T>> relevant,
                                   ToDoubleBiFunction<List<T>, Collection<T>> metric) {
        if (ranked.size() != relevant.size()) {
            throw new IllegalArgumentException(what + " needs one relevant set per ranking: got " + ranked.size()
                    + " rankings and " + relevant.size() + " relevant sets");
        }
        if (ranked.isEmpty()) throw new IllegalArgumentException(what + " of no queries is undefined");
        double sum = 0;
        for (int q = 0; q < ranked.size(); q++) {
            try {
                sum += metric.applyAsDouble(ranked.get(q), relevant.get(q));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("query " + q + ": " + e.getMessage(), e);
            }
        }
        return sum / ranked.size();
    }
}
