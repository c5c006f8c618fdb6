package gradus.io.onnx;

import gradus.files.FileFormatException;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static gradus.io.onnx.GraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.*;

/** Inference cannot allocate more than the element limit from shapes in the data, and opsets are checked (issue 13, item 16). */
class OnnxLimitsTest {
    @TempDir
    Path dir;

    private OnnxModel load(ModelProto m) throws Exception {
        Path f = dir.resolve("m" + System.nanoTime() + ".onnx");
        Files.write(f, m.toByteArray());
        return Onnx.load(f);
    }

    /** The model's run fails with a clear error naming the node and the requested shape. */
    private static String refused(OnnxModel model, Map<String, ?> feeds, String node, String shape) {
        var e = assertThrows(IllegalArgumentException.class, () -> model.predict(feeds));
        assertTrue(e.getMessage().startsWith("node '" + node + "'") && e.getMessage().contains(shape)
                && e.getMessage().contains("above the limit of " + model.elementLimit() + " elements"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void constantOfShapeFortyThousandSquaredIsRefusedNotAllocated() throws Exception {
        ModelProto m = new GraphBuilder(13).output("y").longs("shape", 40000, 40000)
                .node("ConstantOfShape", new String[]{"shape"}, "y").build();
        assertTrue(m.getSerializedSize() < 200);
        OnnxModel model = load(m);
        refused(model, Map.of(), "y_node", "shape [40000, 40000] (1600000000 elements)");
        // The same graph runs when the shape is small.
        ModelProto small = new GraphBuilder(13).output("y").longs("shape", 2, 3).node("ConstantOfShape", new String[]{"shape"}, "y").build();
        assertArrayEquals(new int[]{2, 3}, load(small).predict(Map.of()).get("y").shape());
    }

    @Test
    void rangeOfFourHundredMillionIsRefused() throws Exception {
        ModelProto m = new GraphBuilder(13).output("y")
                .initializer(scalar("start", 0)).initializer(scalar("limit", 400_000_000)).initializer(scalar("delta", 1))
                .node("Range", new String[]{"start", "limit", "delta"}, "y").build();
        refused(load(m), Map.of(), "y_node", "Range from 0 to 400000000 by 1 would allocate shape [400000000]");
    }

    @Test
    void expandAndBroadcastingAreCheckedAgainstThePerModelLimit() throws Exception {
        ModelProto expand = new GraphBuilder(13).input("x", 1, 1).output("y").longs("shape", 40000, 40000)
                .node("Expand", new String[]{"x", "shape"}, "e").node("Relu", new String[]{"e"}, "y").build();
        refused(load(expand), Map.of("x", Tensor.of(new float[]{1}, 1)), "e_node", "Expand would allocate shape [40000, 40000]");

        ModelProto outer = new GraphBuilder(13).input("a", 1, 100, 1).input("b", 1, 1, 100).output("y")
                .node("Add", new String[]{"a", "b"}, "y").build();
        Map<String, Tensor> feeds = Map.of("a", Tensor.zeros(100, 1), "b", Tensor.zeros(1, 100));
        OnnxModel model = load(outer).limitElements(9999);
        assertEquals(9999, model.elementLimit());
        refused(model, feeds, "y_node", "broadcasting [100, 1] with [1, 100] would allocate shape [100, 100]");
        assertArrayEquals(new int[]{100, 100}, model.limitElements(10_000).predict(feeds).get("y").shape());
        assertThrows(IllegalArgumentException.class, () -> model.limitElements(0));
    }

    @Test
    void gatherAndMatMulOutputsAreChecked() throws Exception {
        ModelProto product = new GraphBuilder(13).input("a", 1, 300, 1).input("b", 1, 1, 300).output("y")
                .node("MatMul", new String[]{"a", "b"}, "y").build();
        refused(load(product).limitElements(50_000), Map.of("a", Tensor.zeros(300, 1), "b", Tensor.zeros(1, 300)),
                "y_node", "MatMul of [300, 1] and [1, 300] would allocate shape [300, 300]");
        ModelProto gather = new GraphBuilder(13).input("x", 1, 1, 1000).output("y").longs("ix", new long[300])
                .node("Gather", new String[]{"x", "ix"}, "y").build();
        refused(load(gather).limitElements(100_000), Map.of("x", Tensor.zeros(1, 1000)), "y_node", "Gather would allocate shape [300, 1000]");
    }

    @Test
    void convolutionPaddingFromTheFileIsChecked() throws Exception {
        ModelProto m = new GraphBuilder(13).input("x", 1, 1, 1, 2, 2).output("y").floats("w", new float[]{1}, 1, 1, 1, 1)
                .node("Conv", new String[]{"x", "w"}, "y", ints("pads", 30000, 30000, 30000, 30000)).build();
        refused(load(m), Map.of("x", Tensor.zeros(1, 1, 2, 2)), "y_node", "would allocate shape [1, 1, 60002, 60002]");
        ModelProto zeroStride = new GraphBuilder(13).input("x", 1, 1, 1, 2, 2).output("y").floats("w", new float[]{1}, 1, 1, 1, 1)
                .node("Conv", new String[]{"x", "w"}, "y", ints("strides", 0, 1)).build();
        var e = assertThrows(FileFormatException.class, () -> load(zeroStride));
        assertTrue(e.getMessage().contains("positive kernel_shape, strides and dilations"), e.getMessage());
    }

    @Test
    void theSystemPropertySetsTheDefault() throws Exception {
        ModelProto m = new GraphBuilder(13).output("y").longs("shape", 10, 10).node("ConstantOfShape", new String[]{"shape"}, "y").build();
        String before = System.getProperty(ElementLimit.PROPERTY);
        System.setProperty(ElementLimit.PROPERTY, "99");
        try {
            OnnxModel model = load(m);
            assertEquals(99, model.elementLimit());
            refused(model, Map.of(), "y_node", "shape [10, 10] (100 elements)");
        } finally {
            if (before == null) System.clearProperty(ElementLimit.PROPERTY);
            else System.setProperty(ElementLimit.PROPERTY, before);
        }
        assertTrue(load(m).elementLimit() >= 1 << 20, "a sane default");
    }

    @Test
    void opsetsBelowOneAndAMissingDefaultDomainAreRefusedAtLoad() throws Exception {
        for (int opset : new int[]{-1, 0}) {
            ModelProto m = new GraphBuilder(opset).input("x", 1, 1).output("y").node("Relu", new String[]{"x"}, "y").build();
            var e = assertThrows(FileFormatException.class, () -> load(m));
            assertTrue(e.getMessage().contains("opset version " + opset + " of the default ONNX domain"), e.getMessage());
        }
        ModelProto other = new GraphBuilder(13).input("x", 1, 1).output("y").node("Relu", new String[]{"x"}, "y").build().toBuilder()
                .clearOpsetImport().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1)).build();
        var e = assertThrows(FileFormatException.class, () -> load(other));
        assertTrue(e.getMessage().contains("imports no opset of the default ONNX domain"), e.getMessage());
    }

    @Test
    void initializerDimsFarBeyondTheFileAreRefused() throws Exception {
        var huge = GraphBuilder.floatTensor("w", new float[1], 1).toBuilder().clearDims()
                .addDims(1_000_000).addDims(1_000_000).addDims(1_000_000).build();
        ModelProto m = new GraphBuilder(13).input("x", 1, 1).output("y").initializer(huge).node("Add", new String[]{"x", "w"}, "y").build();
        var e = assertThrows(FileFormatException.class, () -> load(m));
        assertTrue(e.getMessage().contains("initializer 'w'") && e.getMessage().contains("[1000000, 1000000, 1000000]"), e.getMessage());
    }

    private static gradus.io.onnx.proto.OnnxProto.TensorProto scalar(String name, long v) {
        return gradus.io.onnx.proto.OnnxProto.TensorProto.newBuilder().setName(name).setDataType(7).addInt64Data(v).build();
    }
}
