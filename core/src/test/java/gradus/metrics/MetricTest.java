package gradus.metrics;

import gradus.config.ConfigException;
import gradus.data.Batch;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MetricTest {
    private static final double EPS = 1e-12;

    private static Batch labels(int... y) {
        return new Batch(Tensor.zeros(y.length, 1), IntTensor.of(y), null);
    }

    private static Batch targets(Tensor t) {
        return new Batch(Tensor.zeros(t.size(0), 1), null, t);
    }

    @Test
    void topKCountsRankWithTiesToTheLowerIndex() {
        Tensor logits = Tensor.of(new float[][]{
                {0.1f, 0.5f, 0.3f, 0.9f},   // label 2 ranks 3rd
                {2f, 1f, 1f, 0f},           // label 2 ties with class 1, which ranks first: 3rd
                {0f, 0f, 0f, 0f},           // label 0 wins every tie: 1st
                {5f, Float.NaN, 1f, 2f}});  // a NaN label logit is never correct
        IntTensor y = IntTensor.of(new int[]{2, 2, 0, 1});
        assertEquals(1, TopK.correct(logits, y, 1));
        assertEquals(1, TopK.correct(logits, y, 2));
        assertEquals(3, TopK.correct(logits, y, 3));
        assertEquals(0.75, TopK.accuracy(logits, y, 4), EPS);
        // top-1 agrees with argmax, which also resolves ties to the lower index: rows 0-2 predict 3, 0, 0.
        assertArrayEquals(new int[]{3, 0, 0}, logits.slice(0, 0, 3).argmax(1).data());
        var e = assertThrows(IllegalArgumentException.class, () -> TopK.accuracy(logits, y, 5));
        assertTrue(e.getMessage().contains("1 <= k <= 4"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> TopK.accuracy(logits, IntTensor.of(new int[]{0, 0, 0, 4}), 1));
        var rows = assertThrows(IllegalArgumentException.class, () -> TopK.accuracy(logits, IntTensor.of(new int[]{0, 0}), 1));
        assertTrue(rows.getMessage().contains("[4, 4] gives 4 predictions but there are 2 labels"), rows.getMessage());
    }

    @Test
    void regressionMatchesSklearnAndIsBatchInvariant() {
        // sklearn docs: y_true [3, -0.5, 2, 7], y_pred [2.5, 0, 2, 8] → mse 0.375, mae 0.5, r2 0.9486081370449679
        var m = new RegressionMetrics();
        m.update(Tensor.of(new float[]{2.5f, 0f}), Tensor.of(new float[]{3f, -0.5f}));
        m.update(Tensor.of(new float[]{2f, 8f}, 2, 1), Tensor.of(new float[]{2f, 7f})); // [N,1] pairs with [N]
        assertEquals(4, m.count());
        assertEquals(0.375, m.mse(), EPS);
        assertEquals(0.5, m.mae(), EPS);
        assertEquals(0.9486081370449679, m.r2(), 1e-12);
        assertEquals(Math.sqrt(0.375), m.rmse(), EPS);

        // Two outputs, averaged uniformly: mse 0.7083333333333334, mae 0.75, r2 0.9368005266622779
        m.reset();
        m.update(Tensor.of(new float[][]{{0f, 2f}}), Tensor.of(new float[][]{{0.5f, 1f}}));
        m.update(Tensor.of(new float[][]{{-1f, 2f}, {8f, -5f}}), Tensor.of(new float[][]{{-1f, 1f}, {7f, -6f}}));
        assertEquals(0.7083333333333334, m.mse(), EPS);
        assertEquals(0.75, m.mae(), EPS);
        assertEquals(0.9368005266622779, m.r2(), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> m.update(Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("3 outputs per row, earlier ones had 2"), e.getMessage());
        var s = assertThrows(IllegalArgumentException.class, () -> m.update(Tensor.zeros(2, 2), Tensor.zeros(4)));
        assertTrue(s.getMessage().contains("[2, 2] do not match targets of shape [4]"), s.getMessage());
    }

    @Test
    void regressionEdgeCases() {
        var m = new RegressionMetrics();
        assertTrue(Double.isNaN(m.mse()) && Double.isNaN(m.mae()) && Double.isNaN(m.r2()));
        m.update(new float[]{1f}, new float[]{2f}, 1);
        assertEquals(1, m.mse());
        assertTrue(Double.isNaN(m.r2()), "r2 needs two samples, as in sklearn");
        // Constant target: 1 when predicted exactly, else 0 (sklearn's force_finite).
        m.reset();
        m.update(new float[]{1, 1, 1}, new float[]{1, 1, 1}, 1);
        assertEquals(1, m.r2());
        m.reset();
        m.update(new float[]{1, 2, 1}, new float[]{1, 1, 1}, 1);
        assertEquals(0, m.r2());
        // Many batches with a large offset: the merged variance stays exact where naive Σy² would cancel.
        m.reset();
        for (int b = 0; b < 100; b++) m.update(new float[]{1e6f + 1, 1e6f - 1}, new float[]{1e6f, 1e6f + 2}, 1);
        // residuals 1 and 3 → mse 5; targets alternate 1e6, 1e6+2 → SS_tot = 200·1 → r2 = 1 - 1000/200 = -4
        assertEquals(5, m.mse(), 1e-9);
        assertEquals(-4, m.r2(), 1e-9);
    }

    @Test
    void streamingAccuracyOverBatches() {
        Metric acc = Metric.accuracy();
        assertEquals("accuracy", acc.name());
        assertTrue(Double.isNaN(acc.result()));
        acc.update(Tensor.of(new float[][]{{1, 0, 0}, {0, 1, 0}}), labels(0, 2));
        acc.update(Tensor.of(new float[][]{{0, 0, 1}}), labels(2));
        assertEquals(2.0 / 3, acc.result(), EPS);
        acc.reset();
        assertTrue(Double.isNaN(acc.result()));
        // Sequence outputs [N, T, C] against labels [N, T].
        acc.update(Tensor.of(new float[]{1, 0, 0, 1, 1, 0, 1, 0}, 2, 2, 2), new Batch(Tensor.zeros(2, 2), IntTensor.of(new int[]{0, 1, 1, 0}, 2, 2), null));
        assertEquals(0.75, acc.result(), EPS);
    }

    @Test
    void binaryAccuracyThresholdsTheLogitAtZero() {
        Metric acc = Metric.accuracy();
        acc.update(Tensor.of(new float[]{-1f, 0f, 0.1f, 2f}, 4, 1), targets(Tensor.of(new float[]{0f, 1f, 1f, 0f}, 4, 1)));
        assertEquals(0.5, acc.result(), EPS); // 0 > 0 is false, so a zero logit predicts class 0
        acc.update(Tensor.of(new float[]{3f, -3f}), labels(1, 0));
        assertEquals(4.0 / 6, acc.result(), EPS);
        var e = assertThrows(IllegalArgumentException.class, () -> acc.update(Tensor.of(new float[]{3f}), labels(2)));
        assertTrue(e.getMessage().contains("needs labels 0 or 1, got 2"), e.getMessage());
        // One-hot or soft targets with several classes compare argmaxes.
        Metric soft = Metric.accuracy();
        soft.update(Tensor.of(new float[][]{{2, 1}, {0, 1}}), targets(Tensor.of(new float[][]{{0.9f, 0.1f}, {0.8f, 0.2f}})));
        assertEquals(0.5, soft.result(), EPS);
    }

    @Test
    void streamingTopKAndRegression() {
        Metric top2 = Metric.topK(2);
        assertEquals("top2_accuracy", top2.name());
        top2.update(Tensor.of(new float[][]{{0.1f, 0.5f, 0.3f, 0.9f}}), labels(2));
        top2.update(Tensor.of(new float[][]{{0.1f, 0.5f, 0.3f, 0.9f}}), labels(1));
        assertEquals(0.5, top2.result(), EPS);
        var e = assertThrows(IllegalArgumentException.class, () -> top2.update(Tensor.zeros(1, 4), targets(Tensor.zeros(1, 4))));
        assertTrue(e.getMessage().contains("top2_accuracy needs class labels"), e.getMessage());

        Metric r2 = Metric.r2(), mse = Metric.mse(), mae = Metric.mae();
        for (Metric m : new Metric[]{r2, mse, mae}) {
            m.update(Tensor.of(new float[]{2.5f, 0f, 2f, 8f}, 4, 1), targets(Tensor.of(new float[]{3f, -0.5f, 2f, 7f})));
        }
        assertEquals(0.9486081370449679, r2.result(), 1e-12);
        assertEquals(0.375, mse.result(), EPS);
        assertEquals(0.5, mae.result(), EPS);
        var noTargets = assertThrows(IllegalArgumentException.class, () -> mse.update(Tensor.zeros(1), labels(1)));
        assertTrue(noTargets.getMessage().contains("mse needs float targets"), noTargets.getMessage());
    }

    @Test
    void metricsByName() {
        assertEquals("accuracy", Metric.fromName("accuracy").name());
        assertEquals("top5_accuracy", Metric.fromName("top5_accuracy").name());
        assertEquals("top1_accuracy", Metric.fromName(" Top1_Accuracy ").name());
        assertEquals("mse", Metric.fromName("mse").name());
        assertEquals("mae", Metric.fromName("mae").name());
        assertEquals("r2", Metric.fromName("r2").name());
        assertTrue(Metric.fromName("accuracy").higherIsBetter() && Metric.fromName("top5_accuracy").higherIsBetter() && Metric.r2().higherIsBetter());
        assertFalse(Metric.mse().higherIsBetter() || Metric.mae().higherIsBetter());
        var e = assertThrows(ConfigException.class, () -> Metric.fromName("f2"));
        assertEquals("unknown metric 'f2'; known: accuracy, top<k>_accuracy (e.g. top5_accuracy), mse, rmse, mae, r2, perplexity", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metric.fromName("top0_accuracy"));
    }
}
