package gradus.explain;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

class LimeTest {
    @Test
    void tabularLimeRanksTheFeaturesOfAThresholdModel() {
        Rng rng = new Rng(2);
        Tensor train = Tensor.uniform(rng, 0, 1, 500, 4);
        // output 1 when x0 is in its top quartile, plus half of that when x2 is: the surrogate is exactly linear in z
        UnaryOperator<Tensor> model = t -> t.narrow(1, 0, 1).gt(0.75f).add(t.narrow(1, 2, 1).gt(0.75f).mul(0.5f));
        Tensor x = Tensor.of(new float[]{0.9f, 0.2f, 0.95f, 0.5f});
        var e = Lime.tabular(model, x, train, 0, 2000, 0);
        assertEquals(1.5, e.prediction(), 1e-6);
        assertTrue(e.fidelity() > 0.95, "fidelity " + e.fidelity());
        assertEquals(1.0, e.weights()[0], 0.05);
        assertEquals(0.5, e.weights()[2], 0.05);
        assertEquals(0, e.weights()[1], 0.05);
        assertEquals(0, e.weights()[3], 0.05);
        var again = Lime.tabular(model, x, train, 0, 2000, 0);
        assertArrayEquals(e.weights(), again.weights(), 0, "seeded");
    }

    @Test
    void textLimeFindsTheWordThatMatters() {
        List<String> words = List.of("free", "money", "for", "you", "now");
        // a "model" counting the word "money" (token 2) in a bag of words
        java.util.function.Function<String, Tensor> encode = s -> {
            float c = 0;
            for (String w : s.split(" ")) if (w.equals("money")) c++;
            return Tensor.of(new float[]{c}, 1, 1);
        };
        var e = Lime.text(t -> t.mul(3f), words, encode, 0, 500, 1);
        // ridge (α = 1, as LIME) shrinks the coefficient a little below the true 3
        assertEquals(3, e.weights()[1], 0.1);
        for (int j : new int[]{0, 2, 3, 4}) assertEquals(0, e.weights()[j], 0.05);
        assertTrue(e.fidelity() > 0.99, "fidelity " + e.fidelity());
    }

    @Test
    void imageLimeOnAGridAttributesThePatchTheModelLooksAt() {
        Tensor image = Tensor.ones(1, 1, 8, 8);
        // the model sums the top-left 4×4 cell
        UnaryOperator<Tensor> model = t -> t.narrow(2, 0, 4).narrow(3, 0, 4).sum(3).sum(2);
        var e = Lime.image(model, image, 4, 0f, 0, 300, 3);
        assertEquals(4, e.weights().length);
        assertEquals(16, e.weights()[0], 0.5);
        for (int j = 1; j < 4; j++) assertEquals(0, e.weights()[j], 0.5);
        assertTrue(e.fidelity() > 0.99, "fidelity " + e.fidelity());
    }
}
