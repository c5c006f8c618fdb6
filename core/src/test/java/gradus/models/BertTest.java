package gradus.models;

import gradus.GradCheck;
import gradus.autograd.GradMode;
import gradus.files.FileFormatException;
import gradus.io.ModelDirectory;
import gradus.io.Safetensors;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny Bert: saving and loading (Gradus and Hugging Face folders), training, pooling and errors. */
class BertTest {
    static final BertConfig TINY = new BertConfig(50, 16, 2, 4, 24, 12, 2, 1e-12f, 0.1f);
    static final IntTensor IDS = IntTensor.of(new int[]{1, 7, 9, 4, 2, 1, 5, 2, 0, 0}, 2, 5);
    static final IntTensor TYPES = IntTensor.of(new int[]{0, 0, 0, 1, 1, 0, 0, 0, 0, 0}, 2, 5);
    static final IntTensor MASK = IntTensor.of(new int[]{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);

    static Bert tiny(long seed) {
        Rng.manualSeed(seed);
        Bert b = new Bert(TINY);
        b.eval();
        return b;
    }

    static Tensor run(Bert b) {
        try (var g = GradMode.noGrad()) {
            return b.forward(IDS, TYPES, MASK);
        }
    }

    @Test
    void modelDirectoryRoundTripsConfigAndWeights(@TempDir Path dir) throws Exception {
        Bert b = tiny(1);
        ModelDirectory.save(dir, b, Map.of());
        var loaded = ModelDirectory.load(dir);
        Bert c = (Bert) loaded.model();
        assertEquals(TINY, c.bertConfig());
        assertArrayEquals(run(b).toArray(), run(c).toArray());
    }

    /** Hugging Face's names for Bert's parameters, spelled out (the ONNX test covers the same names from a real export). */
    static Map<String, Tensor> huggingFaceNames(Bert b) {
        Map<String, Tensor> s = b.stateDict(), hf = new LinkedHashMap<>();
        hf.put("bert.embeddings.word_embeddings.weight", s.get("embeddings.word.weight"));
        hf.put("bert.embeddings.position_embeddings.weight", s.get("embeddings.position.weight"));
        hf.put("bert.embeddings.token_type_embeddings.weight", s.get("embeddings.token_type.weight"));
        hf.put("bert.embeddings.LayerNorm.gamma", s.get("embeddings.norm.weight"));
        hf.put("bert.embeddings.LayerNorm.beta", s.get("embeddings.norm.bias"));
        String[][] parts = {{"attention.self.query", "self_attn.q_proj"}, {"attention.self.key", "self_attn.k_proj"},
                {"attention.self.value", "self_attn.v_proj"}, {"attention.output.dense", "self_attn.out_proj"},
                {"attention.output.LayerNorm", "norm1"}, {"intermediate.dense", "linear1"}, {"output.dense", "linear2"},
                {"output.LayerNorm", "norm2"}};
        for (int l = 0; l < TINY.numHiddenLayers(); l++) {
            for (String[] p : parts) {
                for (String leaf : List.of("weight", "bias")) {
                    hf.put("bert.encoder.layer." + l + "." + p[0] + "." + leaf, s.get("layers." + l + "." + p[1] + "." + leaf));
                }
            }
        }
        hf.put("bert.embeddings.position_ids", Tensor.arange(12).reshape(1, 12));
        hf.put("bert.pooler.dense.weight", Tensor.zeros(16, 16));
        hf.put("bert.pooler.dense.bias", Tensor.zeros(16));
        hf.put("cls.predictions.bias", Tensor.zeros(50));
        return hf;
    }

    @Test
    void loadsAHuggingFaceFolder(@TempDir Path dir) throws Exception {
        Bert b = tiny(2);
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["BertForMaskedLM"], "model_type": "bert", "hidden_act": "gelu", "vocab_size": 50,
                 "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 24,
                 "max_position_embeddings": 12, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1,
                 "attention_probs_dropout_prob": 0.1, "pad_token_id": 0, "position_embedding_type": "absolute"}""");
        Safetensors.write(dir.resolve("model.safetensors"), huggingFaceNames(b), Map.of());
        assertSameTinyBert(b, BertWeights.load(dir));
    }

    @Test
    void savesAHuggingFaceFolderUnderHuggingFaceNames(@TempDir Path dir) throws Exception {
        Bert b = tiny(7);
        BertWeights.saveHuggingFace(b, dir);
        var names = new java.util.TreeSet<String>();
        for (String k : huggingFaceNames(b).keySet()) {
            if (k.contains("pooler") || k.startsWith("cls.") || k.contains("position_ids")) continue;
            names.add(k.substring(5).replace(".gamma", ".weight").replace(".beta", ".bias"));
        }
        assertEquals(names, new java.util.TreeSet<>(Safetensors.read(dir.resolve("model.safetensors")).tensors().keySet()));
        assertSameTinyBert(b, BertWeights.fromHuggingFace(dir));
    }

    /** {@code loaded} is the tiny config and computes exactly what {@code saved} does. */
    private static void assertSameTinyBert(Bert saved, Bert loaded) {
        loaded.eval();
        assertEquals(TINY, loaded.bertConfig());
        assertArrayEquals(run(saved).toArray(), run(loaded).toArray());
    }

    @Test
    void rejectsWhatItCannotRun(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "bert", "hidden_act": "gelu_new", "vocab_size": 50, "hidden_size": 16, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 24}""");
        Safetensors.write(dir.resolve("model.safetensors"), huggingFaceNames(tiny(3)), Map.of());
        var e = assertThrows(FileFormatException.class, () -> BertWeights.load(dir));
        assertTrue(e.getMessage().contains("hidden_act") && e.getMessage().contains("gelu_new"), e.getMessage());

        Map<String, Tensor> extra = new LinkedHashMap<>(huggingFaceNames(tiny(3)));
        extra.put("bert.encoder.layer.0.attention.self.rotary.weight", Tensor.zeros(2));
        var u = assertThrows(IllegalArgumentException.class, () -> BertWeights.toGradusNames(extra));
        assertTrue(u.getMessage().contains("rotary"), u.getMessage());

        var s = assertThrows(IllegalArgumentException.class, () -> new BertConfig(50, 18, 2, 4, 24, 12, 2, 1e-12f, 0.1f));
        assertTrue(s.getMessage().contains("divisible"), s.getMessage());
        var t = assertThrows(IllegalArgumentException.class, () -> tiny(4).forward(IntTensor.zeros(1, 13), null, null));
        assertTrue(t.getMessage().contains("12 tokens"), t.getMessage());
    }

    @Test
    void paddedPositionsChangeNothingAndEveryParameterTrains() {
        Bert b = tiny(5);
        Tensor full = run(b);
        IntTensor shortIds = IntTensor.of(new int[]{1, 5, 2}, 1, 3);
        Tensor alone;
        try (var g = GradMode.noGrad()) {
            alone = b.forward(shortIds, null, null);
        }
        assertTrue(alone.sub(full.select(0, 1).narrow(0, 0, 3).unsqueeze(0)).abs().max().item() < 1e-5f);

        b.train();
        Tensor loss = SentencePooling.mean(b.forward(IDS, TYPES, MASK), MASK).pow(2f).sum();
        loss.backward();
        for (var e : b.namedParameters().entrySet()) {
            assertTrue(e.getValue().grad() != null && e.getValue().grad().abs().sum().item() > 0f, "no gradient for " + e.getKey());
        }
    }

    @Test
    void inferenceEmbeddingsHaveTheBitsOfForward() {
        Bert b = tiny(10);
        int[] ids = new int[40 * 12], types = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + 3) % TINY.vocabSize();
            types[i] = i % 3 == 0 ? 1 : 0;
        }
        IntTensor id = IntTensor.of(ids, 40, 12), type = IntTensor.of(types, 40, 12); // rows enough to split over threads
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(b.embeddings().forward(id, type).toArray(), b.embeddings().inferenceForward(id, type));
            assertArrayEquals(b.embeddings().forward(id, null).toArray(), b.embeddings().inferenceForward(id, null));
        }
        ids[17] = TINY.vocabSize();
        var e = assertThrows(IndexOutOfBoundsException.class, () -> b.embeddings().inferenceForward(IntTensor.of(ids, 40, 12), null));
        assertEquals("token id 50 out of range for an embedding of 50 rows", e.getMessage());
    }

    @Test
    void packedInferenceComputesWhatForwardDoes() {
        Bert b = tiny(9);
        Tensor expected = run(b);
        BertInference inf = new BertInference(b);
        assertTrue(inf.forward(IDS, TYPES, MASK).sub(expected).abs().max().item() < 1e-6f);
        // Row counts that leave a partial tile, and no mask at all.
        IntTensor five = IntTensor.of(new int[]{3, 1, 4, 1, 5}, 1, 5);
        try (var g = GradMode.noGrad()) {
            assertTrue(inf.forward(five, null, null).sub(b.forward(five, null, null)).abs().max().item() < 1e-6f);
        }
        b.train();
        assertThrows(IllegalStateException.class, () -> inf.forward(IDS, TYPES, MASK));
    }

    @Test
    void gradientsThroughTheWholeEncoderMatchFiniteDifferences() {
        Rng.manualSeed(8);
        Bert b = new Bert(new BertConfig(10, 8, 2, 2, 12, 6, 2, 1e-12f, 0f));
        IntTensor ids = IntTensor.of(new int[]{1, 4, 9, 2, 1, 3, 0, 0}, 2, 4), types = IntTensor.of(new int[]{0, 0, 1, 1, 0, 0, 0, 0}, 2, 4);
        IntTensor mask = IntTensor.of(new int[]{1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);
        var layer0 = b.layers().get(0);
        GradCheck.checkFloat32(t -> SentencePooling.mean(b.forward(ids, types, mask), mask),
                b.embeddings().stateDict().get("token_type.weight"), b.embeddings().stateDict().get("norm.weight"),
                layer0.selfAttn().qProj().weight(), layer0.linear1().bias(), b.layers().get(1).norm2().bias());
    }

    @Test
    void poolingMatchesItsDefinitionAndHasExactGradients() {
        Tensor h = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2);
        IntTensor mask = IntTensor.of(new int[]{1, 1, 0, 1, 0, 0}, 2, 3);
        assertArrayEquals(new float[]{2, 3, 7, 8}, SentencePooling.mean(h, mask).toArray());
        assertArrayEquals(new float[]{1, 2, 7, 8}, SentencePooling.cls(h).toArray());
        assertArrayEquals(new float[]{0.6f, 0.8f}, SentencePooling.l2Normalize(Tensor.of(new float[]{3, 4}, 1, 2)).toArray(), 1e-7f);
        Tensor x = Tensor.normal(new Rng(6), 0f, 1f, 2, 3, 2).requiresGrad(true);
        GradCheck.check(t -> SentencePooling.l2Normalize(SentencePooling.mean(t[0], mask)), x);
    }
}
