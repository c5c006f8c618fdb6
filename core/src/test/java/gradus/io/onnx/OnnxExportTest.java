package gradus.io.onnx;

import gradus.nn.AvgPool2d;
import gradus.nn.BatchNorm1d;
import gradus.nn.BatchNorm2d;
import gradus.nn.Conv2d;
import gradus.nn.Dropout;
import gradus.nn.Embedding;
import gradus.nn.Flatten;
import gradus.nn.GELU;
import gradus.nn.LayerNorm;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.nn.Sigmoid;
import gradus.nn.Softmax;
import gradus.nn.Tanh;
import gradus.nn.TransformerDecoderBlock;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradus models exported to ONNX give ONNX Runtime the same outputs, at any batch size, and import back unchanged. */
class OnnxExportTest {
    @TempDir
    Path dir;

    @Test
    void mlpRunsTheSameInOnnxRuntime() throws Exception {
        Rng.manualSeed(1);
        Module mlp = new Sequential(new Linear(20, 32), new ReLU(), new Dropout(0.3f), new Linear(32, 16), new GELU(),
                new LayerNorm(16), new Linear(16, 16), new Tanh(), new BatchNorm1d(16), new Linear(16, 8), new Sigmoid(),
                new Linear(8, 4), new Softmax(-1));
        train(mlp, Tensor.randn(64, 20));
        assertSameOutputs(mlp, new int[]{1, 20}, Tensor.randn(5, 20), Tensor.randn(1, 20));
    }

    @Test
    void cnnLikeFashionExampleRunsTheSameInOnnxRuntime() throws Exception {
        Rng.manualSeed(2);
        Module cnn = new Sequential(new Conv2d(1, 8, 3, 1, 1), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1).activation("relu"), new AvgPool2d(2), new Flatten(), new Linear(16 * 7 * 7, 32), new ReLU(),
                new Linear(32, 10));
        train(cnn, Tensor.randn(4, 1, 28, 28));
        assertSameOutputs(cnn, new int[]{1, 1, 28, 28}, Tensor.randn(3, 1, 28, 28), Tensor.randn(1, 1, 28, 28));
    }

    /** One training-mode pass so BatchNorm's running statistics are not the trivial 0 and 1. */
    private static void train(Module m, Tensor x) {
        m.train();
        m.forward(x);
        m.eval();
    }

    private void assertSameOutputs(Module model, int[] inputShape, Tensor... batches) throws Exception {
        Path file = dir.resolve("model.onnx");
        Onnx.export(model, inputShape, file);
        OnnxChecker.assertValid(file);
        OnnxModel back = Onnx.load(file);
        assertTrue(back.stateDict().keySet().containsAll(model.namedParameters().keySet()), "initializers keep the state-dict names");
        try (OrtRunner ort = new OrtRunner(Files.readAllBytes(file), 1)) {
            for (Tensor x : batches) {
                Tensor expected = model.predict(x);
                float diff = OrtRunner.maxAbsDiff(expected, ort.run(Map.of("input", x)));
                assertTrue(diff <= 1e-4f, "batch " + x.size(0) + ": max |Gradus - ONNX Runtime| = " + diff);
                assertTrue(OrtRunner.maxAbsDiff(expected, back.predict(x)) <= 1e-5f, "re-imported model");
            }
        }
    }

    @Test
    void sequenceAxisCanBeDynamic() throws Exception {
        Rng.manualSeed(3);
        Module m = new Sequential(new Linear(8, 16), new GELU(), new LayerNorm(16), new Linear(16, 4), new Softmax(-1));
        assertSameOutputs(m, new int[]{-1, -1, 8}, Tensor.randn(2, 5, 8), Tensor.randn(1, 3, 8));
    }

    @Test
    void transformerBlocksRunTheSameInOnnxRuntime() throws Exception {
        Rng.manualSeed(4);
        Module m = new Sequential(new Linear(4, 8), new TransformerEncoderBlock(8, 2),
                new TransformerEncoderBlock(8, 4, 16, 0.1f, false, 1e-5f, false), new TransformerDecoderBlock(8, 2), new Linear(8, 3));
        m.eval();
        assertSameOutputs(m, new int[]{-1, -1, 4}, Tensor.randn(3, 6, 4), Tensor.randn(1, 2, 4));
    }

    @Test
    void rotaryBlockOutsideGptIsRefused() {
        Module m = new Sequential(new TransformerEncoderBlock(8, 2, 16, 0f, true, 1e-5f, true));
        var e = assertThrows(IllegalArgumentException.class, () -> Onnx.toProto(m, new int[]{-1, -1, 8}));
        assertTrue(e.getMessage().contains("rotary") && e.getMessage().contains("0.self_attn"), e.getMessage());
    }

    @Test
    void unsupportedLayerIsNamed() {
        Module m = new Sequential(new Linear(4, 4), new Embedding(10, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> Onnx.toProto(m, new int[]{1, 4}));
        assertTrue(e.getMessage().contains("'1'") && e.getMessage().contains("Embedding"), e.getMessage());
    }

    @Test
    void outputsDeclareTheirShape() {
        var out = Onnx.toProto(new Sequential(new Linear(8, 4)), new int[]{-1, -1, 8}).getGraph().getOutput(0);
        var dims = out.getType().getTensorType().getShape().getDimList();
        assertEquals(3, dims.size());
        assertEquals("batch", dims.get(0).getDimParam());
        assertEquals("sequence", dims.get(1).getDimParam());
        assertEquals(4, dims.get(2).getDimValue());
        var flat = Onnx.toProto(new Sequential(new Flatten(), new Linear(12, 3)), new int[]{1, 3, 4}).getGraph().getOutput(0);
        assertEquals("[dim_param: \"batch\"\n, dim_value: 3\n]", flat.getType().getTensorType().getShape().getDimList().toString());
    }

    @Test
    void batchDimensionIsDynamic() {
        var input = Onnx.toProto(new Sequential(new Linear(3, 2)), new int[]{7, 3}).getGraph().getInput(0);
        var dims = input.getType().getTensorType().getShape().getDimList();
        assertEquals("batch", dims.get(0).getDimParam());
        assertEquals(3, dims.get(1).getDimValue());
    }
}
