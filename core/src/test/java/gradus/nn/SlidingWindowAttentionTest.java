package gradus.nn;

import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.models.TransformerClassifier;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code attention: {window, global_tokens}} option of the attention layers: semantics, config and errors. */
class SlidingWindowAttentionTest {

    /** Output and input gradient of self-attention over x with weights from seed 7. */
    private static float[][] attend(AttentionWindow window, Tensor x, boolean causal) {
        Rng.manualSeed(7);
        var mha = new MultiHeadAttention(8, 2, 0f, true, false, window);
        Tensor in = x.detach().requiresGrad(true);
        Tensor y = mha.forward(in, causal);
        y.mul(Tensor.normal(new Rng(3), 0f, 1f, y.shape())).sum().backward();
        return new float[][]{y.toArray(), in.grad().toArray()};
    }

    @Test
    void aWindowCoveringTheSequenceEqualsFullAttentionExactly() {
        Tensor x = Tensor.normal(new Rng(1), 0f, 1f, 2, 40, 8);
        for (boolean causal : new boolean[]{false, true}) {
            float[][] full = attend(null, x, causal), covering = attend(new AttentionWindow(39, 1), x, causal);
            assertArrayEquals(full[0], covering[0], "output");
            assertArrayEquals(full[1], covering[1], "input gradient");
            float[][] narrow = attend(new AttentionWindow(3, 0), x, causal);
            assertFalse(java.util.Arrays.equals(full[0], narrow[0]), "a window of 3 changes the output");
        }
    }

    @Test
    void aTokenOutsideTheWindowDoesNotReachAQueryButAGlobalOneDoes() {
        Tensor x = Tensor.normal(new Rng(2), 0f, 1f, 1, 30, 8);
        Tensor changedFar = x.copyTensor();
        changedFar.set(5f, 0, 25, 0);           // token 25 is 20 positions from token 5
        Tensor changedGlobal = x.copyTensor();
        changedGlobal.set(5f, 0, 0, 0);         // token 0 is global
        var window = new AttentionWindow(4, 1);
        float[] base = attend(window, x, false)[0], far = attend(window, changedFar, false)[0], global = attend(window, changedGlobal, false)[0];
        int row = 5 * 8;
        assertArrayEquals(java.util.Arrays.copyOfRange(base, row, row + 8), java.util.Arrays.copyOfRange(far, row, row + 8));
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(base, row, row + 8), java.util.Arrays.copyOfRange(global, row, row + 8)));
        // and the global token sees the far one
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(base, 0, 8), java.util.Arrays.copyOfRange(far, 0, 8)));
    }

    @Test
    void configRoundTripsThroughYamlKeys() {
        var yaml = new Config("model", Map.of("type", "TransformerClassifier", "vocab_size", 50, "max_length", 64,
                "attention", Map.of("window", 8, "global_tokens", 1)));
        Module m = Layers.fromConfig(yaml);
        var window = ((TransformerClassifier) m).config().get("attention");
        assertEquals(Map.of("window", 8, "global_tokens", 1), window);
        Module again = Layers.fromConfig(new Config("again", m.config()));
        assertEquals(m.config(), again.config());
        var mha = Layers.fromConfig(new Config("layer", Map.of("type", "MultiHeadAttention", "embed_dim", 8, "num_heads", 2,
                "attention", Map.of("window", 3))));
        assertEquals(new AttentionWindow(3, 0), ((MultiHeadAttention) mha).window());
        assertFalse(Layers.fromConfig(new Config("plain", Map.of("type", "MultiHeadAttention", "embed_dim", 8, "num_heads", 2)))
                .config().containsKey("attention"), "no window, no key");
    }

    @Test
    void badWindowsNameTheKeyAndWhereItSits() {
        var zero = assertThrows(ConfigException.class, () -> Layers.fromConfig(new Config("recipe.yaml: model", Map.of("type", "TransformerEncoderBlock",
                "width", 8, "heads", 2, "attention", Map.of("window", 0)))));
        assertTrue(zero.getMessage().contains("recipe.yaml: model.attention") && zero.getMessage().contains("window"), zero.getMessage());
        var typo = assertThrows(ConfigException.class, () -> Layers.fromConfig(new Config("model", Map.of("type", "MultiHeadAttention",
                "embed_dim", 8, "num_heads", 2, "attention", Map.of("windw", 3)))));
        assertTrue(typo.getMessage().contains("windw") && typo.getMessage().contains("global_tokens"), typo.getMessage());
        var notMapping = assertThrows(ConfigException.class, () -> Layers.fromConfig(new Config("model", Map.of("type", "MultiHeadAttention",
                "embed_dim", 8, "num_heads", 2, "attention", 256))));
        assertTrue(notMapping.getMessage().contains("'attention'") && notMapping.getMessage().contains("mapping"), notMapping.getMessage());
    }
}
