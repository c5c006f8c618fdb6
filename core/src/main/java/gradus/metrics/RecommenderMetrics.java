package gradus.metrics;

import gradus.data.Interactions;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Top-k quality of a recommender on held-out interactions: for every user with test items, all items the user did not
 * interact with in training are ranked by the model's scores (training items are excluded: recommending them again
 * is not the task), and the user's test items are the relevant set (or, for explicit ratings, those rated at least a
 * threshold: what the user likes, not just what they rated). Precision@k, recall@k, hit rate@k, NDCG@k and MAP@k are
 * the means over those users, computed by {@link Ranking} (Spark's RankingMetrics conventions). RMSE is over test pairs.
 */
public final class RecommenderMetrics {
    private RecommenderMetrics() {}

    /**
     * @param scores the model's score of every item for a user (higher first), e.g. {@code model::scores}
     * @return precision@k, recall@k, hit_rate@k, ndcg@k, map@k (keys with k, e.g. {@code ndcg@10}) and the number of users
     */
    public static Map<String, Double> ranking(IntFunction<float[]> scores, Interactions train, Interactions test, int k) {
        return ranking(scores, train, test, k, Float.NEGATIVE_INFINITY);
    }

    /** As {@link #ranking(IntFunction, Interactions, Interactions, int)}, with only test values {@code >= minRelevant} relevant. */
    public static Map<String, Double> ranking(IntFunction<float[]> scores, Interactions train, Interactions test, int k, float minRelevant) {
        if (k < 1) throw new IllegalArgumentException("ranking metrics need k >= 1, got " + k);
        if (train.numUsers() != test.numUsers() || train.numItems() != test.numItems()) {
            throw new IllegalArgumentException("train is " + train.numUsers() + " users x " + train.numItems() + " items, test "
                    + test.numUsers() + " x " + test.numItems());
        }
        List<List<Integer>> ranked = new ArrayList<>();
        List<List<Integer>> relevant = new ArrayList<>();
        BitSet[] seen = train.itemsByUser();
        BitSet[] held = relevantByUser(test, minRelevant);
        for (int u = 0; u < test.numUsers(); u++) {
            if (held[u].isEmpty()) continue;
            ranked.add(topK(scores.apply(u), seen[u], k, test.numItems(), u));
            relevant.add(held[u].stream().boxed().toList());
        }
        if (ranked.isEmpty()) {
            throw new IllegalArgumentException("no test interaction has a value >= " + minRelevant + ": no user to rank for");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("precision@" + k, Ranking.meanPrecisionAtK(ranked, relevant, k));
        out.put("recall@" + k, Ranking.meanRecallAtK(ranked, relevant, k));
        out.put("hit_rate@" + k, Ranking.hitRateAtK(ranked, relevant, k));
        out.put("ndcg@" + k, Ranking.meanNdcgAtK(ranked, relevant, k));
        out.put("map@" + k, Ranking.meanAveragePrecisionAtK(ranked, relevant, k));
        out.put("users", (double) ranked.size());
        return out;
    }

    private static BitSet[] relevantByUser(Interactions test, float minRelevant) {
        BitSet[] out = new BitSet[test.numUsers()];
        for (int u = 0; u < out.length; u++) out[u] = new BitSet(test.numItems());
        for (int r = 0; r < test.size(); r++) {
            if (test.values()[r] >= minRelevant) out[test.users()[r]].set(test.items()[r]);
        }
        return out;
    }

    /** Root mean squared error of predictions against the test values. */
    public static double rmse(float[] predicted, Interactions test) {
        if (predicted.length != test.size()) {
            throw new IllegalArgumentException("RMSE needs one prediction per test pair: got " + predicted.length + " for " + test.size());
        }
        if (test.size() == 0) throw new IllegalArgumentException("RMSE of no pairs is undefined");
        double sum = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = predicted[i] - test.values()[i];
            sum += d * d;
        }
        return Math.sqrt(sum / predicted.length);
    }

    /** The k best unseen items, best first; ties go to the lower item id. */
    static List<Integer> topK(float[] s, BitSet exclude, int k, int numItems, int user) {
        if (s.length != numItems) {
            throw new IllegalArgumentException("user " + user + ": " + s.length + " scores for " + numItems + " items");
        }
        int[] best = new int[k];
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (exclude.get(i) || Float.isNaN(s[i])) continue;
            int pos = n < k ? n++ : k;
            if (pos == k && !(s[i] > s[best[k - 1]])) continue;
            if (pos == k) pos = k - 1;
            while (pos > 0 && s[i] > s[best[pos - 1]]) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = i;
        }
        List<Integer> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) out.add(best[j]);
        return out;
    }
}
