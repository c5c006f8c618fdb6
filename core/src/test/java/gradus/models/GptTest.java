package gradus.models;

import gradus.autograd.GradMode;
import gradus.config.ConfigException;
import gradus.io.ModelDirectory;
import gradus.nn.KVCache;
import gradus.nn.Layers;
import gradus.nn.Losses;
import gradus.optim.AdamW;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class GptTest {
    private static final GptConfig SMALL = new GptConfig(11, 8, 2, 2, 8, 0f, true, GptConfig.Positional.LEARNED);

    private static IntTensor ids(long seed, int vocab, int b, int t) {
        Rng r = new Rng(seed);
        int[] v = new int[b * t];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(vocab);
        return IntTensor.of(v, b, t);
    }

    @Test
    void configUsesSnakeCaseKeysAndRebuildsThroughLayers() {
        Map<String, Object> c = SMALL.withPositional(GptConfig.Positional.ROTARY).withTieWeights(false).toMap();
        assertEquals(List.of("type", "vocab_size", "context_length", "layers", "heads", "width", "dropout", "tie_weights", "positional"),
                List.copyOf(c.keySet()));
        assertEquals("rotary", c.get("positional"));
        Gpt rebuilt = (Gpt) Layers.fromConfig(c);
        assertEquals(c, rebuilt.config());
        Map<String, Object> bad = new LinkedHashMap<>(c);
        bad.put("n_embd", 8);
        var e = assertThrows(ConfigException.class, () -> Layers.fromConfig(bad));
        assertTrue(e.getMessage().contains("n_embd") && e.getMessage().contains("context_length"), e.getMessage());
        bad.remove("n_embd");
        bad.put("positional", "alibi");
        var p = assertThrows(ConfigException.class, () -> Layers.fromConfig(bad));
        assertTrue(p.getMessage().contains("alibi") && p.getMessage().contains("sinusoidal"), p.getMessage());
        bad.put("positional", "learned");
        bad.put("heads", 3);
        var h = assertThrows(ConfigException.class, () -> Layers.fromConfig(bad));
        assertTrue(h.getMessage().contains("divisible"), h.getMessage());
    }

    @Test
    void tiedWeightsShareTheEmbedding() {
        Gpt tied = new Gpt(SMALL), untied = new Gpt(SMALL.withTieWeights(false));
        assertFalse(tied.stateDict().containsKey("lm_head.weight"));
        assertTrue(untied.stateDict().containsKey("lm_head.weight"));
        assertEquals(tied.parameters().size(), new HashSet<>(tied.parameters()).size(), "no parameter listed twice");
        assertEquals(untied.parameterCount() - 11 * 8, tied.parameterCount());
        assertTrue(tied.stateDict().keySet().containsAll(List.of("tok_emb.weight", "pos_emb.weight", "blocks.0.self_attn.q_proj.weight",
                "blocks.1.linear2.bias", "ln_f.weight")), tied.stateDict().keySet().toString());
    }

    @Test
    void cachedForwardEqualsTheFullPassForEveryPositionKind() {
        for (GptConfig.Positional kind : GptConfig.Positional.values()) {
            Rng.manualSeed(3);
            Gpt gpt = new Gpt(SMALL.withPositional(kind));
            IntTensor x = ids(4, 11, 2, 7);
            try (var g = GradMode.noGrad()) {
                Tensor full = gpt.forward(x);
                KVCache cache = gpt.newCache();
                for (int t = 0; t < 7; t++) {
                    int[] col = {x.get(0, t), x.get(1, t)};
                    Tensor step = gpt.forward(IntTensor.of(col, 2, 1), cache);
                    assertArrayEquals(full.narrow(1, t, 1).toArray(), step.toArray(), 1e-5f, kind + " step " + t);
                }
                var e = assertThrows(IllegalArgumentException.class, () -> gpt.forward(IntTensor.of(new int[]{1, 2, 3, 4}, 2, 2), cache));
                assertTrue(e.getMessage().contains("context is 8") && e.getMessage().contains("7 cached"), e.getMessage());
            }
        }
    }

    @Test
    void savesAndLoadsThroughModelDirectory(@TempDir Path dir) throws Exception {
        Rng.manualSeed(5);
        Gpt gpt = new Gpt(SMALL.withPositional(GptConfig.Positional.SINUSOIDAL).withTieWeights(false));
        ModelDirectory.save(dir, gpt, Map.of());
        var loaded = ModelDirectory.load(dir);
        assertInstanceOf(Gpt.class, loaded.model());
        IntTensor x = ids(6, 11, 2, 5);
        assertArrayEquals(gpt.predict(x.toFloat()).toArray(), loaded.model().predict(x.toFloat()).toArray(), 1e-6f);
        assertEquals(gpt.config(), loaded.model().config());
        String info = ModelDirectory.describe(dir);
        assertTrue(info.contains("blocks.1.self_attn.q_proj") && info.contains("lm_head") && !info.contains("WARNING"), info);
    }

    @Test
    void lossIsMeanTokenCrossEntropyAndStartsNearUniform() {
        Rng.manualSeed(7);
        Gpt gpt = new Gpt(SMALL);
        IntTensor x = ids(8, 11, 3, 8), y = ids(9, 11, 3, 8);
        Tensor logits = gpt.forward(x);
        assertArrayEquals(new int[]{3, 8, 11}, logits.shape());
        float loss = gpt.loss(x, y).item();
        assertEquals(Losses.crossEntropy(logits.reshape(24, 11), y.reshape(24)).item(), loss, 1e-6f);
        assertEquals(Math.log(11), loss, 0.1, "small initial weights give nearly uniform predictions");
        var e = assertThrows(IllegalArgumentException.class, () -> gpt.forward(ids(1, 11, 1, 9)));
        assertTrue(e.getMessage().contains("context is 8") && e.getMessage().contains("9 tokens"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> gpt.forward(IntTensor.of(new int[]{11}, 1, 1)));
    }

    /** Learns a repeating pattern, then continues it greedily, with and without the cache and past the context. */
    @Test
    void learnsAPatternAndGeneratesIt() {
        Rng.manualSeed(10);
        Gpt gpt = new Gpt(new GptConfig(5, 8, 1, 2, 16, 0f, true, GptConfig.Positional.LEARNED));
        AdamW opt = new AdamW(gpt.parameters(), 1e-2, 0.9, 0.95, 1e-8, 0.0, false);
        int[] pattern = {0, 1, 2, 3, 4};
        float loss = 0;
        for (int step = 0; step < 150; step++) {
            int[] x = new int[4 * 8], y = new int[4 * 8];
            for (int b = 0; b < 4; b++) {
                for (int t = 0; t < 8; t++) {
                    x[b * 8 + t] = pattern[(b + step + t) % 5];
                    y[b * 8 + t] = pattern[(b + step + t + 1) % 5];
                }
            }
            opt.zeroGrad();
            Tensor l = gpt.loss(IntTensor.of(x, 4, 8), IntTensor.of(y, 4, 8));
            l.backward();
            opt.step();
            loss = l.item();
        }
        assertTrue(loss < 0.05, "loss " + loss);
        for (boolean cache : new boolean[]{true, false}) {
            var out = new Generator(gpt).generate(new int[]{2, 3}, GenerationConfig.builder().greedy(true).maxNewTokens(20).useCache(cache).build());
            for (int i = 0; i < 20; i++) assertEquals((4 + i) % 5, out.tokens()[i], "cache " + cache + " token " + i);
        }
    }
}
