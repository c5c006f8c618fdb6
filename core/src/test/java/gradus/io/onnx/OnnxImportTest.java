package gradus.io.onnx;

import gradus.GradCheck;
import gradus.files.FileFormatException;
import gradus.kernels.Erf;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.StringStringEntryProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static gradus.io.onnx.GraphBuilder.i;
import static gradus.io.onnx.GraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-built graphs against ONNX Runtime, and the errors for unsupported and broken files. */
class OnnxImportTest {
    @TempDir
    Path dir;

    private Path save(ModelProto m) throws Exception {
        Path f = dir.resolve("m.onnx");
        Files.write(f, m.toByteArray());
        return f;
    }

    private void assertMatchesOrt(ModelProto m, Map<String, ?> feeds) throws Exception {
        Tensor ours = Onnx.load(save(m)).predict(feeds).values().iterator().next();
        try (OrtRunner ort = new OrtRunner(m.toByteArray(), 1)) {
            float diff = OrtRunner.maxAbsDiff(ours, ort.run(feeds));
            assertTrue(diff <= 1e-5f, "max diff " + diff);
        }
    }

    @Test
    void shapeAndIndexingOperatorsMatchOnnxRuntime() throws Exception {
        // x [2, 3, 4]: slice with step 2 and negative starts, masks from Equal/Where, Expand, ConstantOfShape,
        // Cast, (Un)Squeeze as inputs (opset 13), Gather, Concat, Transpose, Reshape from Shape arithmetic.
        ModelProto m = new GraphBuilder(13).input("x", 1, -1, 3, 4).input("ids", 7, 2).output("y")
                .longs("s0", 0, -1).longs("e0", 4, -4).longs("ax", 2, 1).longs("st", 2, -1)
                .node("Slice", new String[]{"x", "s0", "e0", "ax", "st"}, "sl")               // [n, 3, 2]
                .floats("half", new float[]{0.5f})
                .node("Greater", new String[]{"sl", "half"}, "gt0")
                .longs("shape3", 3, 2)
                .node("ConstantOfShape", new String[]{"shape3"}, "zeros")
                .node("Equal", new String[]{"sl", "sl"}, "alltrue")
                .node("Where", new String[]{"alltrue", "sl", "zeros"}, "w")
                .node("Cast", new String[]{"ids"}, "idsf", i("to", 1))
                .longs("axes0", 0)
                .node("Unsqueeze", new String[]{"idsf", "axes0"}, "u")                           // [1, 2]
                .longs("eshape", 2, 1, 2)
                .node("Expand", new String[]{"u", "eshape"}, "ex")                                // [2, 1, 2]
                .node("Squeeze", new String[]{"ex", "axes1"}, "sq").longs("axes1", 1)            // [2, 2]
                .node("Unsqueeze", new String[]{"sq", "axes1"}, "us")                            // [2, 1, 2]
                .node("Gather", new String[]{"x", "ids"}, "ga", i("axis", 2))                    // [n, 3, 2]
                .node("Concat", new String[]{"w", "us", "ga"}, "cat", i("axis", 1))              // [n, 7, 2]
                .node("Transpose", new String[]{"cat"}, "tr", ints("perm", 0, 2, 1))            // [n, 2, 7]
                .node("Shape", new String[]{"tr"}, "shp")
                .longs("gidx", 0)
                .node("Gather", new String[]{"shp", "gidx"}, "n")
                .longs("minus1", -1)
                .node("Concat", new String[]{"n", "minus1"}, "newshape", i("axis", 0))
                .node("Reshape", new String[]{"tr", "newshape"}, "r")                          // [n, 14]
                .node("Softmax", new String[]{"r"}, "y", i("axis", 1))
                .build();
        Rng.manualSeed(3);
        assertMatchesOrt(m, Map.of("x", Tensor.randn(2, 3, 4), "ids", IntTensor.of(new int[]{3, -4}, 2)));
    }

    @Test
    void arithmeticAndNormalizationMatchOnnxRuntime() throws Exception {
        Rng.manualSeed(4);
        ModelProto m = new GraphBuilder(17).input("x", 1, -1, 6).output("y")
                .floats("w", Tensor.randn(6, 5).toArray(), 6, 5).floats("b", Tensor.randn(5).toArray(), 5)
                .floats("g", Tensor.randn(5).toArray(), 5).floats("two", new float[]{2f})
                .node("Gemm", new String[]{"x", "w", "b"}, "h", OnnxExporter.attr("alpha", 0.5f))
                .node("LayerNormalization", new String[]{"h", "g"}, "ln", OnnxExporter.attr("epsilon", 1e-3f))
                .node("Erf", new String[]{"ln"}, "e")
                .node("Pow", new String[]{"e", "two"}, "p")
                .node("Sqrt", new String[]{"p"}, "sq")
                .node("Sub", new String[]{"sq", "ln"}, "d")
                .node("Div", new String[]{"d", "two"}, "dv")
                .node("Tanh", new String[]{"dv"}, "t")
                .node("Sigmoid", new String[]{"t"}, "s")
                .node("Mul", new String[]{"s", "ln"}, "mu")
                .node("Relu", new String[]{"mu"}, "re")
                .node("ReduceMean", new String[]{"re"}, "y", ints("axes", -1), i("keepdims", 0))
                .build();
        assertMatchesOrt(m, Map.of("x", Tensor.randn(3, 6)));
    }

    @Test
    void decoderStyleOperatorsMatchOnnxRuntime() throws Exception {
        // A causal mask from Range/Less/Not, a fused qkv Split into three outputs, Clip, Max/Min, ReduceMax and tanh-Gelu.
        ModelProto m = new GraphBuilder(20).input("x", 1, -1, 4, 6).output("y")
                .longs("zero", 0).longs("four", 4).longs("one", 1).longs("sizes", 2, 2, 2).longs("col", 4, 1)
                .node("Squeeze", new String[]{"zero"}, "z0").node("Squeeze", new String[]{"four"}, "z4").node("Squeeze", new String[]{"one"}, "z1")
                .node("Range", new String[]{"z0", "z4", "z1"}, "pos")                                       // [4]
                .node("Reshape", new String[]{"pos", "col"}, "posc")                                      // [4, 1]
                .node("Greater", new String[]{"pos", "posc"}, "future")                                   // [4, 4]
                .node("Not", new String[]{"future"}, "visible")
                .node("Split", new String[]{"x", "sizes"}, "q", i("axis", 2))
                .build();
        // Split writes three outputs: q, k, v.
        var g = m.getGraph().toBuilder();
        var split = g.getNode(g.getNodeCount() - 1).toBuilder().addOutput("k").addOutput("v");
        g.setNode(g.getNodeCount() - 1, split);
        m = m.toBuilder().setGraph(g).build();
        m = new GraphBuilder(20).build().toBuilder().setGraph(m.getGraph().toBuilder()
                .addNode(node("Transpose", new String[]{"k"}, "kt", ints("perm", 0, 2, 1)))
                .addNode(node("MatMul", new String[]{"q", "kt"}, "s"))
                .addNode(node("Where", new String[]{"visible", "s", "minf"}, "masked"))
                .addInitializer(GraphBuilder.floatTensor("minf", new float[]{-1e4f}))
                .addNode(node("Softmax", new String[]{"masked"}, "p", i("axis", -1)))
                .addNode(node("MatMul", new String[]{"p", "v"}, "o"))
                .addInitializer(GraphBuilder.floatTensor("lo", new float[]{-0.5f})).addInitializer(GraphBuilder.floatTensor("hi", new float[]{0.8f}))
                .addNode(node("Clip", new String[]{"o", "lo", "hi"}, "c"))
                .addNode(node("Max", new String[]{"c", "o", "lo"}, "mx"))
                .addNode(node("Min", new String[]{"mx", "hi"}, "mn"))
                .addNode(node("Gelu", new String[]{"mn"}, "ge", OnnxExporter.attr("approximate", "tanh")))
                .addInitializer(gradus.io.onnx.proto.OnnxProto.TensorProto.newBuilder().setName("ax1").setDataType(7).addDims(1).addInt64Data(1))
                .addNode(node("ReduceMax", new String[]{"ge", "ax1"}, "rm", i("keepdims", 1)))
                .addNode(node("Add", new String[]{"ge", "rm"}, "y"))).build();
        Rng.manualSeed(8);
        assertMatchesOrt(m, Map.of("x", Tensor.randn(2, 4, 6)));
    }

    private static gradus.io.onnx.proto.OnnxProto.NodeProto node(String op, String[] in, String out, gradus.io.onnx.proto.OnnxProto.AttributeProto... attrs) {
        var n = gradus.io.onnx.proto.OnnxProto.NodeProto.newBuilder().setOpType(op).setName(out + "_node").addOutput(out);
        for (String s : in) n.addInput(s);
        for (var a : attrs) n.addAttribute(a);
        return n.build();
    }

    @Test
    void oldSoftmaxFlattensTrailingDimensions() throws Exception {
        ModelProto m = new GraphBuilder(11).input("x", 1, 2, 3, 4).output("y").node("Softmax", new String[]{"x"}, "y").build();
        Rng.manualSeed(5);
        assertMatchesOrt(m, Map.of("x", Tensor.randn(2, 3, 4)));
    }

    @Test
    void convAndPoolingMatchOnnxRuntime() throws Exception {
        Rng.manualSeed(6);
        ModelProto m = new GraphBuilder(13).input("x", 1, -1, 2, 7, 7).output("y")
                .floats("k", Tensor.randn(3, 2, 3, 3).toArray(), 3, 2, 3, 3).floats("kb", Tensor.randn(3).toArray(), 3)
                .node("Conv", new String[]{"x", "k", "kb"}, "c", ints("pads", 1, 1, 1, 1), ints("strides", 2, 2))
                .node("MaxPool", new String[]{"c"}, "mp", ints("kernel_shape", 2, 2), ints("strides", 1, 1))
                .node("Flatten", new String[]{"mp"}, "y")
                .build();
        assertMatchesOrt(m, Map.of("x", Tensor.randn(2, 2, 7, 7)));
    }

    @Test
    void erfIsAccurateAndDifferentiable() {
        // Python's math.erf; the one erf of Gradus (kernels.Erf) behind the ONNX Erf operator
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-15);
        assertEquals(-0.8427007929497149, Erf.erf(-1), 1e-15);
        assertEquals(0.9999779095030014, Erf.erf(3), 1e-15);
        assertEquals(1.1283787909692363e-3, Erf.erf(1e-3), 1e-18);
        Rng.manualSeed(7);
        GradCheck.check(t -> t[0].erf().mul(t[0]).sum(), Tensor.randn(3, 4).requiresGrad(true));
    }

    @Test
    void unsupportedOperatorFailsAtLoadNamingNodeAndOpset() throws Exception {
        ModelProto m = new GraphBuilder(13).input("x", 1, 2).output("y").node("NonZero", new String[]{"x"}, "y").build();
        var e = assertThrows(FileFormatException.class, () -> Onnx.load(save(m)));
        assertTrue(e.getMessage().contains("operator NonZero") && e.getMessage().contains("node 'y_node'")
                && e.getMessage().contains("opset ai.onnx 13"), e.getMessage());
    }

    @Test
    void unsupportedAttributeFailsAtLoad() throws Exception {
        ModelProto m = new GraphBuilder(13).input("x", 1, 1, 2, 4, 4).output("y")
                .floats("k", new float[8], 2, 1, 2, 2)
                .node("Conv", new String[]{"x", "k"}, "y", i("group", 2)).build();
        var e = assertThrows(FileFormatException.class, () -> Onnx.load(save(m)));
        assertTrue(e.getMessage().contains("group=2") && e.getMessage().contains("y_node"), e.getMessage());
    }

    @Test
    void truncatedFileNamesFieldAndOffset() throws Exception {
        ModelProto m = new GraphBuilder(13).input("x", 1, 3).output("y")
                .floats("w", new float[300], 300).node("Add", new String[]{"x", "w"}, "y").build();
        byte[] bytes = m.toByteArray();
        Path f = dir.resolve("cut.onnx");
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 700));
        var e = assertThrows(FileFormatException.class, () -> Onnx.load(f));
        assertTrue(e.getMessage().contains("ModelProto.graph.initializer[1].raw_data at byte") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptedBytesGiveFileErrorsOnly() throws Exception {
        // Any damage must end in a FileFormatException (or a model that loads), never another exception.
        ModelProto m = new GraphBuilder(13).input("x", 1, -1, 4).output("y")
                .floats("w", new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 4, 2).longs("shape", -1, 2)
                .node("MatMul", new String[]{"x", "w"}, "h").node("Reshape", new String[]{"h", "shape"}, "r")
                .node("Softmax", new String[]{"r"}, "y", i("axis", 1)).build();
        byte[] good = m.toByteArray();
        java.util.Random rnd = new java.util.Random(9);
        Path f = dir.resolve("fuzz.onnx");
        for (int trial = 0; trial < 1000; trial++) {
            byte[] bad = good.clone();
            for (int k = 0; k <= trial % 3; k++) bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
            Files.write(f, trial % 5 == 0 ? Arrays.copyOf(bad, rnd.nextInt(bad.length)) : bad);
            try {
                Onnx.load(f);
            } catch (FileFormatException expected) {
                assertTrue(expected.getMessage().startsWith(f.toString()));
            }
        }
    }

    @Test
    void garbageIsRejectedCleanly() throws Exception {
        byte[] junk = new byte[4096];
        new java.util.Random(1).nextBytes(junk);
        Path f = dir.resolve("junk.onnx");
        Files.write(f, junk);
        assertThrows(FileFormatException.class, () -> Onnx.load(f));
    }

    @Test
    void tensorSizesAreCappedByTheBytesPresent() throws Exception {
        // dims claim 2^31-ish elements with 12 bytes of data: an error, not an allocation.
        TensorProto huge = GraphBuilder.floatTensor("w", new float[3], 3).toBuilder().clearDims().addDims(1 << 15).addDims(1 << 15).build();
        ModelProto m = new GraphBuilder(13).input("x", 1, 3).output("y").initializer(huge).node("Add", new String[]{"x", "w"}, "y").build();
        var e = assertThrows(FileFormatException.class, () -> Onnx.load(save(m)));
        assertTrue(e.getMessage().contains("initializer 'w'") && e.getMessage().contains("raw_data"), e.getMessage());
    }

    @Test
    void externalDataIsReadAndChecked() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0).putFloat(1f).putFloat(2f).putFloat(3f);
        Files.write(dir.resolve("weights.bin"), b.array());
        TensorProto ext = TensorProto.newBuilder().setName("w").setDataType(1).addDims(3)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("8")).build();
        ModelProto m = new GraphBuilder(13).input("x", 1, 3).output("y").initializer(ext).node("Add", new String[]{"x", "w"}, "y").build();
        OnnxModel model = Onnx.load(save(m));
        assertEquals(Arrays.toString(new float[]{1f, 2f, 3f}), Arrays.toString(model.forward(Tensor.zeros(3)).toArray()));

        TensorProto outside = ext.toBuilder().setExternalData(0, StringStringEntryProto.newBuilder().setKey("location").setValue("../weights.bin")).build();
        ModelProto bad = m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(0, outside)).build();
        var e = assertThrows(FileFormatException.class, () -> Onnx.load(save(bad)));
        assertTrue(e.getMessage().contains("outside the model's folder"), e.getMessage());

        TensorProto tooLong = ext.toBuilder().addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("12")).build();
        ModelProto shortFile = m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(0, tooLong)).build();
        e = assertThrows(FileFormatException.class, () -> Onnx.load(save(shortFile)));
        assertTrue(e.getMessage().contains("which has 20 bytes"), e.getMessage());
    }

    @Test
    void wrongInputShapeIsNamed() throws Exception {
        ModelProto m = new GraphBuilder(13).input("x", 1, -1, 3).output("y").node("Relu", new String[]{"x"}, "y").build();
        OnnxModel model = Onnx.load(save(m));
        var e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("[n, 3]") && e.getMessage().contains("[2, 4]"), e.getMessage());
    }
}
