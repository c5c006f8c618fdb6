package gradus.spark.ml;

import gradus.metrics.Ranking;
import gradus.spark.TestSpark;
import org.apache.spark.mllib.evaluation.RankingMetrics;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Gradus's NDCG@k, MAP, MAP@k, precision@k and recall@k against Spark MLlib's RankingMetrics on the same random rankings. */
class RankingMetricsVsSparkTest {

    @Test
    void rankingMetricsAgreeWithSparkMllib() {
        Random rng = new Random(11);
        List<List<Integer>> ranked = new ArrayList<>();
        List<List<Integer>> relevant = new ArrayList<>();
        List<Tuple2<List<Integer>, List<Integer>>> pairs = new ArrayList<>();
        for (int q = 0; q < 200; q++) {
            List<Integer> items = new ArrayList<>();
            for (int i = 0; i < 40; i++) items.add(i);
            Collections.shuffle(items, rng);
            List<Integer> r = List.copyOf(items.subList(0, 5 + rng.nextInt(20)));   // rankings of 5 to 24 items
            Collections.shuffle(items, rng);
            List<Integer> rel = List.copyOf(items.subList(0, 1 + rng.nextInt(12))); // 1 to 12 relevant, some unranked
            ranked.add(r);
            relevant.add(rel);
            pairs.add(new Tuple2<>(r, rel));
        }
        RankingMetrics<Integer> spark = RankingMetrics.of(TestSpark.context().parallelize(pairs, 2));
        assertEquals(spark.meanAveragePrecision(), Ranking.meanAveragePrecision(ranked, relevant), 1e-12, "MAP");
        for (int k : new int[]{1, 5, 10, 30}) {
            assertEquals(spark.ndcgAt(k), Ranking.meanNdcgAtK(ranked, relevant, k), 1e-12, "NDCG@" + k);
            assertEquals(spark.meanAveragePrecisionAt(k), Ranking.meanAveragePrecisionAtK(ranked, relevant, k), 1e-12, "MAP@" + k);
            assertEquals(spark.precisionAt(k), Ranking.meanPrecisionAtK(ranked, relevant, k), 1e-12, "precision@" + k);
            assertEquals(spark.recallAt(k), Ranking.meanRecallAtK(ranked, relevant, k), 1e-12, "recall@" + k);
        }
    }
}
