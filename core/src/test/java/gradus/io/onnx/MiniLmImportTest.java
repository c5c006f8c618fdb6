package gradus.io.onnx;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * all-MiniLM-L6-v2 (the ONNX file inside langchain4j's Maven artifact) imported into Gradus and
 * run side by side with ONNX Runtime on a padded batch.
 */
class MiniLmImportTest {
    static final String MODEL = "all-minilm-l6-v2.onnx";
    private static OnnxModel model;
    private static OrtRunner ort;

    @BeforeAll
    static void load() throws Exception {
        Path file = OrtRunner.resourceFile(MODEL);
        model = Onnx.load(file);
        ort = new OrtRunner(Files.readAllBytes(file), 2);
    }

    @AfterAll
    static void close() throws Exception {
        ort.close();
    }

    /** Three sentences of lengths 9, 6 and 3 ([CLS] … [SEP]), padded with 0 to 9. */
    static Map<String, IntTensor> batch() {
        int[][] rows = {
                {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 102},
                {101, 7592, 2088, 999, 2129, 102},
                {101, 2748, 102}};
        int len = 9;
        int[] ids = new int[rows.length * len], mask = new int[ids.length];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < rows[r].length; i++) {
                ids[r * len + i] = rows[r][i];
                mask[r * len + i] = 1;
            }
        }
        return Map.of("input_ids", IntTensor.of(ids, rows.length, len), "attention_mask", IntTensor.of(mask, rows.length, len),
                "token_type_ids", IntTensor.zeros(rows.length, len));
    }

    @Test
    void lastHiddenStateAndEmbeddingsMatchOnnxRuntime() throws Exception {
        var feeds = batch();
        Tensor ours = model.predict(feeds).get("last_hidden_state");
        Tensor theirs = ort.run(feeds);
        assertEquals(java.util.List.of(3, 9, 384), java.util.Arrays.stream(ours.shape()).boxed().toList());
        float diff = OrtRunner.maxAbsDiff(ours, theirs);
        System.out.println("MiniLM last_hidden_state max abs diff vs ONNX Runtime: " + diff);
        assertTrue(diff <= 1e-4f, "max |Gradus - ONNX Runtime| = " + diff);

        Tensor mask = feeds.get("attention_mask").toFloat();
        Tensor a = meanPoolNormalize(ours, mask), b = meanPoolNormalize(theirs, mask);
        for (int r = 0; r < 3; r++) {
            float cos = a.select(0, r).mul(b.select(0, r)).sum().item();
            assertTrue(cos >= 0.99999f, "cosine of sentence " + r + " = " + cos);
        }
        // Different sentences must give different embeddings, or the comparison above proves little.
        assertTrue(a.select(0, 0).mul(a.select(0, 2)).sum().item() < 0.95f);
    }

    /** sentence-transformers' pooling: the mean over real tokens, then L2 normalization. */
    static Tensor meanPoolNormalize(Tensor hidden, Tensor mask) {
        Tensor m = mask.unsqueeze(-1);
        Tensor mean = hidden.mul(m).sum(1, false).div(m.sum(1, false));
        return mean.div(mean.mul(mean).sum(1, true).sqrt());
    }

    @Test
    void gradientsReachTheInitializers() {
        Map<String, IntTensor> feeds = Map.of("input_ids", IntTensor.of(new int[]{101, 7592, 102}, 1, 3),
                "attention_mask", IntTensor.of(new int[]{1, 1, 1}, 1, 3), "token_type_ids", IntTensor.zeros(1, 3));
        model.zeroGrad();
        Tensor h = model.run(feeds).get("last_hidden_state");
        h.select(2, 0).sum().backward();
        Tensor words = model.initializers().get("embeddings.word_embeddings.weight");
        assertNotNull(words.grad());
        float used = words.grad().select(0, 7592).abs().sum().item(), unused = words.grad().select(0, 2000).abs().sum().item();
        assertTrue(used > 0f, "the embedding row of a used token gets a gradient");
        assertEquals(0f, unused, "an unused token's row gets none");
        // The gradient of a query bias deep in the network against a central difference of the loss itself.
        Tensor qBias = model.stateDict().get("encoder.layer.5.attention.self.query.bias");
        float[] g = qBias.grad().toArray();
        int j = 0;
        for (int i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[j])) j = i;
        float eps = 1e-2f, original = qBias.get(j);
        qBias.set(original + eps, j);
        double up = model.predict(feeds).get("last_hidden_state").select(2, 0).sum().item();
        qBias.set(original - eps, j);
        double down = model.predict(feeds).get("last_hidden_state").select(2, 0).sum().item();
        qBias.set(original, j);
        double numeric = (up - down) / (2 * eps);
        assertEquals(numeric, g[j], 0.02 * Math.abs(numeric) + 1e-4, "d loss / d query.bias[" + j + "]");
        model.zeroGrad();
    }

    @Test
    void parametersKeepTheirOnnxNames() {
        assertEquals(11, model.opset());
        assertEquals(java.util.List.of("input_ids", "attention_mask", "token_type_ids"), model.inputNames());
        assertTrue(model.stateDict().containsKey("encoder.layer.0.attention.self.query.bias"));
        assertTrue(model.namedParameters().containsKey("embeddings.word_embeddings.weight"));
        // all-MiniLM-L6-v2: embeddings 30522·384 + 512·384 + 2·384 + LayerNorm 768, and six layers of 1,774,464.
        assertEquals(30522L * 384 + 512 * 384 + 2 * 384 + 768 + 6 * 1_774_464L, model.parameterCount());
    }
}
