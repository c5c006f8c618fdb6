package gradus.io.onnx;

import gradus.autograd.GradMode;
import gradus.models.Gpt;
import gradus.models.GptConfig;
import gradus.models.LstmClassifier;
import gradus.models.TransformerClassifier;
import gradus.nn.GRU;
import gradus.nn.LSTM;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.Sequential;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text models exported to ONNX (int64 ids with dynamic batch and sequence axes) give ONNX
 * Runtime the same logits as Gradus, padded rows included, and import back where Gradus's importer
 * has the operators (not LSTM/GRU).
 */
class TextModelExportTest {
    private static final int VOCAB = 23;

    @TempDir
    Path dir;

    @Test
    void lstmClassifierWithLastHiddenState() throws Exception {
        Rng.manualSeed(11);
        assertSameLogits(new LstmClassifier(VOCAB, 6, 5, 3), false, batches(4, 7, 2, 3));
    }

    @Test
    void stackedBidirectionalLstmClassifier() throws Exception {
        Rng.manualSeed(12);
        var m = new LstmClassifier(VOCAB, 6, 5, 2, true, 0.3f, LstmClassifier.Pooling.LAST, 3);
        assertSameLogits(m, false, batches(5, 6, 1, 4));
    }

    @Test
    void lstmClassifierWithMeanAndMaxPooling() throws Exception {
        Rng.manualSeed(13);
        for (var pooling : new LstmClassifier.Pooling[]{LstmClassifier.Pooling.MEAN, LstmClassifier.Pooling.MAX}) {
            assertSameLogits(new LstmClassifier(VOCAB, 6, 4, 1, true, 0f, pooling, 2), false, batches(4, 7, 3, 2));
        }
    }

    @Test
    void gptWithLearnedPositionsAndTiedHead() throws Exception {
        Rng.manualSeed(14);
        Gpt gpt = randomized(new Gpt(GptConfig.of(VOCAB, 12, 2, 2, 8)), 0.5f);
        assertSameLogits(gpt, true, batches(3, 9, 1, 4));
        assertEquals(1, Onnx.load(export(gpt)).parameters().stream().filter(p -> p.size(0) == VOCAB).count(),
                "the tied head re-imports as the token table itself");
        var logits = Onnx.toProto(gpt).getGraph().getOutput(0).getType().getTensorType().getShape().getDimList();
        assertEquals(List.of("batch", "sequence", String.valueOf(VOCAB)),
                logits.stream().map(d -> d.hasDimValue() ? String.valueOf(d.getDimValue()) : d.getDimParam()).toList());
    }

    @Test
    void gptWithSinusoidalPositionsAndOwnHead() throws Exception {
        Rng.manualSeed(15);
        var cfg = GptConfig.of(VOCAB, 12, 1, 4, 8).withTieWeights(false).withPositional(GptConfig.Positional.SINUSOIDAL);
        assertSameLogits(randomized(new Gpt(cfg), 0.5f), true, batches(2, 12, 3, 1));
    }

    @Test
    void gptWithRotaryPositions() throws Exception {
        Rng.manualSeed(16);
        var cfg = GptConfig.of(VOCAB, 10, 2, 2, 8).withPositional(GptConfig.Positional.ROTARY);
        assertSameLogits(randomized(new Gpt(cfg), 0.5f), true, batches(2, 10, 3, 6));
    }

    @Test
    void transformerClassifierMasksPadding() throws Exception {
        Rng.manualSeed(17);
        assertSameLogits(randomized(new TransformerClassifier(VOCAB, 10, 8, 2, 2, 0.1f, 3), 0.5f), true, batches(4, 8, 2, 5));
    }

    @Test
    void recurrentLayersInASequential() throws Exception {
        Rng.manualSeed(18);
        for (Module rnn : new Module[]{new LSTM(4, 3, 2, true, true, 0f, true), new GRU(4, 3, 1, true, true, 0f, true)}) {
            Module m = new Sequential(rnn, new Linear(6, 2));
            Path file = dir.resolve("rnn.onnx");
            Onnx.export(m, new int[]{-1, -1, 4}, file);
            OnnxChecker.assertValid(file);
            try (OrtRunner ort = new OrtRunner(Files.readAllBytes(file), 1)) {
                for (Tensor x : new Tensor[]{Tensor.randn(3, 5, 4), Tensor.randn(1, 2, 4)}) {
                    float diff = OrtRunner.maxAbsDiff(m.predict(x), ort.run(Map.of("input", x)));
                    assertTrue(diff <= 1e-4f, rnn + ": max |Gradus - ONNX Runtime| = " + diff);
                }
            }
        }
    }

    @Test
    void textModelsDeclareInt64IdsWithDynamicAxes() {
        var graph = Onnx.toProto(new Gpt(GptConfig.of(VOCAB, 4, 1, 1, 4))).getGraph();
        var type = graph.getInput(0).getType().getTensorType();
        assertEquals("input_ids", graph.getInput(0).getName());
        assertEquals(DataType.INT64.code, type.getElemType());
        assertEquals("batch", type.getShape().getDim(0).getDimParam());
        assertEquals("sequence", type.getShape().getDim(1).getDimParam());
        assertEquals("logits", graph.getOutput(0).getName());
        var e = assertThrows(IllegalArgumentException.class, () -> Onnx.toProto(new Sequential(new Linear(2, 2))));
        assertTrue(e.getMessage().contains("input shape"), e.getMessage());
    }

    /**
     * Batches of ids [b1, t1] and [b2, t2], right-padded: row 0 is full, row 1 (when there) has a
     * 0 inside its real tokens, the last row of a batch is all padding, the rest padded at random.
     */
    private static IntTensor[] batches(int b1, int t1, int b2, int t2) {
        return new IntTensor[]{ids(b1, t1), ids(b2, t2)};
    }

    private static IntTensor ids(int b, int t) {
        Rng rng = new Rng(b * 31L + t);
        int[] v = new int[b * t];
        for (int r = 0; r < b; r++) {
            int len = r == 0 ? t : r == b - 1 ? 0 : 1 + rng.nextInt(t);
            for (int i = 0; i < len; i++) v[r * t + i] = 1 + rng.nextInt(VOCAB - 1);
            if (r == 1 && len > 2) v[r * t + 1] = 0;
        }
        return IntTensor.of(v, b, t);
    }

    private Path export(Module model) throws Exception {
        Path file = dir.resolve(model.getClass().getSimpleName() + ".onnx");
        Onnx.export(model, file);
        OnnxChecker.assertValid(file);
        return file;
    }

    /**
     * Weights N(0, std²) everywhere (LayerNorm gains and biases included): GPT-style init makes the
     * logits so small that a 1e-4 tolerance would hide a wrong mask or a misplaced position.
     */
    private static <M extends Module> M randomized(M model, float std) {
        for (Tensor p : model.parameters()) Init.normal(p, 0f, std);
        return model;
    }

    private void assertSameLogits(Module model, boolean reimport, IntTensor... batches) throws Exception {
        model.eval();
        Path file = export(model);
        OnnxModel back = reimport ? Onnx.load(file) : null;
        try (OrtRunner ort = new OrtRunner(Files.readAllBytes(file), 1)) {
            for (IntTensor ids : batches) {
                Tensor expected = gradus(model, ids);
                float diff = OrtRunner.maxAbsDiff(expected, ort.run(Map.of("input_ids", ids)));
                String where = model.getClass().getSimpleName() + " " + model.config() + " on ids " + java.util.Arrays.toString(ids.shape());
                assertTrue(diff <= 1e-4f, where + ": max |Gradus - ONNX Runtime| = " + diff);
                if (back != null) {
                    float d = OrtRunner.maxAbsDiff(expected, back.predict(Map.of("input_ids", ids)).get("logits"));
                    assertTrue(d <= 1e-4f, where + ": max |Gradus - re-imported| = " + d);
                }
            }
        }
    }

    private static Tensor gradus(Module model, IntTensor ids) {
        try (var g = GradMode.noGrad()) {
            if (model instanceof Gpt gpt) return gpt.forward(ids);
            int[] v = ids.data();
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = v[i];
            return model.forward(Tensor.of(f, ids.shape()));
        }
    }
}
