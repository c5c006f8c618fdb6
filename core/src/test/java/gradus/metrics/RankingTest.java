package gradus.metrics;

import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class RankingTest {
    private static final double EPS = 1e-12;

    @Test
    void perQueryWorkedExample() {
        // ranked d3 d1 d7 d2 d9, relevant {d1, d2, d4}: hits at positions 2 and 4
        List<String> ranked = List.of("d3", "d1", "d7", "d2", "d9");
        Set<String> relevant = Set.of("d1", "d2", "d4");
        assertEquals(0, Ranking.precisionAtK(ranked, relevant, 1), EPS);
        assertEquals(0.5, Ranking.precisionAtK(ranked, relevant, 2), EPS);
        assertEquals(0.5, Ranking.precisionAtK(ranked, relevant, 4), EPS);
        assertEquals(2.0 / 10, Ranking.precisionAtK(ranked, relevant, 10), EPS); // divides by k past the list's end
        assertEquals(1.0 / 3, Ranking.recallAtK(ranked, relevant, 3), EPS);
        assertEquals(2.0 / 3, Ranking.recallAtK(ranked, relevant, 5), EPS);
        assertEquals(0, Ranking.hitAtK(ranked, relevant, 1));
        assertEquals(1, Ranking.hitAtK(ranked, relevant, 2));
        assertEquals(0.5, Ranking.reciprocalRank(ranked, relevant), EPS);
        assertEquals(0, Ranking.reciprocalRank(ranked, Set.of("d8")));
    }

    @Test
    void meansMatchSklearnOnScores() {
        // tools/golden/text_metrics.py: one relevant label per query, scores without ties
        Tensor scores = Tensor.of(new float[][]{
                {1.5f, 0.4f, 1.8f, 0.3f, 1.4f, 1.2f},
                {1.0f, 0.0f, 1.9f, 1.7f, 0.8f, 0.7f},
                {0.1f, 2.2f, 1.3f, 0.6f, 1.6f, 0.5f},
                {2.3f, 2.0f, 0.2f, 2.1f, 0.9f, 1.1f}});
        List<List<Integer>> ranked = Ranking.rank(scores);
        assertEquals(List.of(2, 0, 4, 5, 1, 3), ranked.get(0));
        List<Set<Integer>> relevant = List.of(Set.of(2), Set.of(0), Set.of(5), Set.of(3));
        // sklearn top_k_accuracy_score for k = 1, 2, 3
        assertEquals(0.25, Ranking.hitRateAtK(ranked, relevant, 1), EPS);
        assertEquals(0.5, Ranking.hitRateAtK(ranked, relevant, 2), EPS);
        assertEquals(0.75, Ranking.hitRateAtK(ranked, relevant, 3), EPS);
        // sklearn label_ranking_average_precision_score, which is MRR with one relevant label
        assertEquals(0.5083333333333333, Ranking.meanReciprocalRank(ranked, relevant), EPS);
        // with one relevant item, recall@k is the hit rate and precision@k is hit rate / k
        assertEquals(0.75, Ranking.meanRecallAtK(ranked, relevant, 3), EPS);
        assertEquals(0.25, Ranking.meanPrecisionAtK(ranked, relevant, 3), EPS);
    }

    @Test
    void ndcgAndAveragePrecisionWorkedExample() {
        // ranked d3 d1 d7 d2 d9, relevant {d1, d2, d4}: hits at positions 2 and 4 (spark/RankingMetricsVsSparkTest checks Spark agrees)
        List<String> ranked = List.of("d3", "d1", "d7", "d2", "d9");
        Set<String> relevant = Set.of("d1", "d2", "d4");
        // (1/log2 3 + 1/log2 5) / (1 + 1/log2 3 + 1/log2 4)
        assertEquals(0.49818925746641285, Ranking.ndcgAtK(ranked, relevant, 5), 1e-12);
        // top 2: (1/log2 3) / (1 + 1/log2 3)
        assertEquals(0.38685280723454163, Ranking.ndcgAtK(ranked, relevant, 2), 1e-12);
        assertEquals((1.0 / 2 + 2.0 / 4) / 3, Ranking.averagePrecision(ranked, relevant), 1e-12);
        assertEquals((1.0 / 2) / 2, Ranking.averagePrecisionAtK(ranked, relevant, 2), 1e-12);
        assertEquals(1.0, Ranking.ndcgAtK(List.of("d4", "d1", "d2"), relevant, 3), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Ranking.ndcgAtK(ranked, Set.of(), 3));
    }

    @Test
    void rankBreaksTiesByIndexAndPutsNaNLast() {
        assertEquals(List.of(1, 3, 0, 2), Ranking.rank(Tensor.of(new float[][]{{0f, 2f, Float.NaN, 2f}})).get(0));
    }

    @Test
    void badInputIsNamed() {
        var lengths = assertThrows(IllegalArgumentException.class,
                () -> Ranking.meanPrecisionAtK(List.of(List.of(1), List.of(2)), List.of(Set.of(1)), 1));
        assertTrue(lengths.getMessage().contains("2 rankings and 1 relevant sets"), lengths.getMessage());
        var empty = assertThrows(IllegalArgumentException.class,
                () -> Ranking.meanRecallAtK(List.of(List.of(1), List.of(2)), List.of(Set.of(1), Set.<Integer>of()), 1));
        assertTrue(empty.getMessage().startsWith("query 1: recall@k is undefined"), empty.getMessage());
        var twice = assertThrows(IllegalArgumentException.class, () -> Ranking.precisionAtK(List.of(4, 5, 4), Set.of(4), 3));
        assertTrue(twice.getMessage().contains("item 4 is ranked twice, at positions 1 and 3"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ranking.precisionAtK(List.of(1), Set.of(1), 0));
        assertThrows(IllegalArgumentException.class, () -> Ranking.rank(Tensor.zeros(3)));
    }
}
