package gradus.explain;

import gradus.models.TransformerClassifier;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TransformerExplainerTest {
    private static TransformerClassifier model() {
        Rng.manualSeed(4);
        var m = new TransformerClassifier(20, 16, 8, 2, 2, 0f, 3);
        m.eval();
        return m;
    }

    private static final Tensor IDS = Tensor.of(new float[]{3, 7, 1, 12, 5, 9, 2, 0, 0, 0}, 1, 10);

    @Test
    void rerunFromEmbeddingsGivesTheModelsLogitsAndCompleteTokenAttributions() {
        var m = model();
        var e = new TransformerExplainer(m).explain(IDS, 1, 64);
        assertArrayEquals(new int[]{3, 7, 1, 12, 5, 9, 2}, e.ids(), "padding is not explained");
        assertArrayEquals(m.predict(IDS).toArray(), e.logits(), 1e-5f);
        double sum = 0;
        for (float a : e.integratedGradients()) sum += a;
        // IG from the zero embedding (the padding row): Σ attributions = f(x) − f(0) up to the quadrature gap
        assertEquals(0, e.gap(), 0.01 * Math.abs(sum - e.gap()) + 1e-6);
        assertEquals(7, e.gradientTimesInput().length);
    }

    @Test
    void attentionIsPerLayerAndHeadAndRowsSumToOne() {
        var e = new TransformerExplainer(model()).explain(IDS, 0, 8);
        assertEquals(2, e.attention().length);
        assertEquals(2, e.attention()[0].length);
        for (float[][][] layer : e.attention())
            for (float[][] head : layer)
                for (float[] row : head) {
                    assertEquals(7, row.length);
                    double s = 0;
                    for (float v : row) s += v;
                    assertEquals(1, s, 1e-5);
                }
        double total = 0;
        for (float r : e.rollout()) total += r;
        assertEquals(1, total, 1e-5, "rollout of a mean-pooled model spreads one unit over the tokens");
    }

    @Test
    void rolloutByHand() {
        // one head, A = [[1, 0], [0.5, 0.5]] → 0.5·A + 0.5·I = [[1, 0], [0.25, 0.75]]; two such layers multiply
        float[][][] layer = {{{1, 0}, {0.5f, 0.5f}}};
        float[][] r = TransformerExplainer.rollout(new float[][][][]{layer, layer}, 2);
        assertArrayEquals(new float[]{1, 0}, r[0], 1e-7f);
        assertArrayEquals(new float[]{0.4375f, 0.5625f}, r[1], 1e-7f);
    }
}
