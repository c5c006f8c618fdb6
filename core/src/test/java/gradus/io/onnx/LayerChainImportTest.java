package gradus.io.onnx;

import gradus.files.FileFormatException;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Graphs that are not a chain of rebuildable layers are refused naming the node or axis, not half-imported. */
class LayerChainImportTest {
    @TempDir
    Path dir;

    private Path write(GraphBuilder g) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.write(file, g.build().toByteArray());
        return file;
    }

    @Test
    void anOperatorWithoutALayerIsNamed() throws Exception {
        Path file = write(new GraphBuilder(17).input("x", 1, -1, 3).node("Exp", new String[]{"x"}, "y").output("y"));
        var e = assertThrows(FileFormatException.class, () -> Onnx.importLayers(file));
        assertTrue(e.getMessage().contains("node 'y_node' (Exp) is not one of the operators") && e.getMessage().contains("Gemm"), e.getMessage());
    }

    @Test
    void aBranchIsNotAChain() throws Exception {
        Path file = write(new GraphBuilder(17).input("x", 1, -1, 3).node("Relu", new String[]{"x"}, "a")
                .node("Add", new String[]{"x", "a"}, "y").output("y"));
        var e = assertThrows(FileFormatException.class, () -> Onnx.importLayers(file));
        assertTrue(e.getMessage().contains("node 'y_node' (Add) does not continue the chain from 'a'"), e.getMessage());
    }

    @Test
    void aDynamicExampleAxisIsNamed() throws Exception {
        Path file = write(new GraphBuilder(17).input("x", 1, -1, -1, 3).node("Relu", new String[]{"x"}, "y").output("y"));
        var e = assertThrows(FileFormatException.class, () -> Onnx.importLayers(file));
        assertTrue(e.getMessage().contains("input 'x' axis 1 is not a fixed size"), e.getMessage());
    }

    @Test
    void aGemmWithoutTransBHasItsWeightTransposed() throws Exception {
        // B = [[1, 2, 3], [4, 5, 6]] is [in = 2, out = 3]: y = x·B.
        Path file = write(new GraphBuilder(17).input("x", 1, -1, 2).floats("w", new float[]{1, 2, 3, 4, 5, 6}, 2, 3)
                .node("Gemm", new String[]{"x", "w"}, "y").output("y"));
        var imported = Onnx.importLayers(file);
        assertArrayEquals(new float[]{9, 12, 15}, imported.model().predict(Tensor.of(new float[]{1, 2}, 1, 2)).toArray(), 0f);
    }

    @Test
    void aLinearChainComesBackWithItsWeights() throws Exception {
        Rng.manualSeed(3);
        Sequential net = new Sequential(new Linear(3, 2));
        Path file = dir.resolve("linear.onnx");
        Onnx.export(net, new int[]{-1, 3}, file);
        var imported = Onnx.importLayers(file);
        Tensor x = Tensor.rand(4, 3);
        assertArrayEquals(net.predict(x).toArray(), imported.model().predict(x).toArray(), 0f);
        assertEquals(java.util.List.of(3), imported.card().get("input_shape"));
        assertFalse(imported.card().containsKey("preprocessing"));
    }

    /**
     * The export table read backwards: single-node layers come back from a graph Gradus did not write (no gradus.model
     * metadata), their attributes as config keys, absent ones at the layer's default (ONNX's); numbers computed by hand.
     */
    @Test
    void singleNodeLayersComeBackFromTheExportTable() throws Exception {
        Path file = write(new GraphBuilder(17).input("x", 1, -1, 3)
                .node("LeakyRelu", new String[]{"x"}, "a", OnnxExporter.attr("alpha", 0.2f))
                .node("Tanh", new String[]{"a"}, "b")
                .node("Softmax", new String[]{"b"}, "c", GraphBuilder.i("axis", 1))
                .node("Relu", new String[]{"c"}, "d")
                .node("LeakyRelu", new String[]{"d"}, "y")
                .output("y"));
        var imported = Onnx.importLayers(file);
        var layers = (java.util.List<?>) imported.model().config().get("layers");
        assertEquals(java.util.List.of(
                java.util.Map.of("type", "LeakyReLU", "slope", 0.2f), java.util.Map.of("type", "Tanh"),
                java.util.Map.of("type", "Softmax", "dim", 1), java.util.Map.of("type", "ReLU"),
                java.util.Map.of("type", "LeakyReLU", "slope", 0.01f)), layers);
        // x = [-1, 0, 2]: leaky → [-0.2, 0, 2]; tanh → [-0.197375, 0, 0.964028]; softmax → [0.184754, 0.225067, 0.590179]
        float[] y = imported.model().predict(Tensor.of(new float[]{-1, 0, 2}, 1, 3)).toArray();
        assertArrayEquals(new float[]{0.184754f, 0.225067f, 0.590179f}, y, 1e-5f);
    }
}
