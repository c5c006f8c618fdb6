package gradus.io.onnx;

import gradus.fuzz.Fuzzer;
import gradus.files.FileFormatException;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.io.onnx.proto.OnnxProto.ValueInfoProto;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.nn.Sigmoid;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static gradus.io.onnx.GraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the ONNX importer: load, then (where the model loads) one inference on a small input under an
 * element limit of 2^16 per value. Only {@link FileFormatException}s at load and Gradus's own
 * {@link IllegalArgumentException}s at run time are allowed (a JDK exception as their cause is a finding),
 * no Error, and at most 32 bytes allocated per input byte plus 32 MiB (integer initializers widen to
 * 8 bytes per element; the run's values are capped by the element limit).
 */
class OnnxFuzzTest {
    private static final int ELEMENTS = 1 << 16;

    @TempDir
    Path dir;

    @Test
    void onnxFilesFailOnlyWithClearErrorsAndBoundedAllocation() throws Exception {
        Path file = dir.resolve("input.onnx");
        AtomicInteger inferences = new AtomicInteger();
        Fuzzer fuzzer = Fuzzer.of("onnx", bytes -> {
            Files.write(file, bytes);
            OnnxModel model = Onnx.load(file).limitElements(ELEMENTS);
            Map<String, Object> feeds = smallInputs(ModelProto.parseFrom(bytes));
            if (feeds != null) {
                runClearly(model, feeds);
                inferences.incrementAndGet();
            }
        }).expect(FileFormatException.class, IllegalArgumentException.class).allocationLimit(32, 32L << 20).iterations(3000)
                .dictionary("Relu", "Gemm", "MatMul", "Conv", "Reshape", "Expand", "ConstantOfShape", "Range", "Gather", "Add", "ai.onnx");
        fuzzer.seed(Onnx.toProto(new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3), new Sigmoid()), new int[]{-1, 4}).toByteArray());
        fuzzer.seed(Onnx.toProto(new Sequential(new Conv2d(1, 2, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(2 * 3 * 3, 2)),
                new int[]{-1, 1, 8, 8}).toByteArray());
        // Shape arithmetic whose sizes come from the data.
        fuzzer.seed(new GraphBuilder(13).input("x", 1, -1, 4).output("y").longs("shape", 3, 4)
                .node("ConstantOfShape", new String[]{"shape"}, "c").node("Expand", new String[]{"x", "shape"}, "e")
                .node("Add", new String[]{"e", "c"}, "y").build().toByteArray());
        fuzzer.seed(new GraphBuilder(13).input("x", 1, 1, 1, 4, 4).output("y").floats("w", new float[]{1, 2, 3, 4}, 1, 1, 2, 2)
                .node("Conv", new String[]{"x", "w"}, "y", ints("pads", 1, 1, 1, 1)).build().toByteArray());
        fuzzer.run();
        assertTrue(inferences.get() >= 4, "only " + inferences.get() + " inputs loaded and ran: the campaign tests nothing");
    }

    /** Runs the model, letting a JDK exception that Gradus wrapped surface as the finding it is. */
    private static void runClearly(OnnxModel model, Map<String, Object> feeds) {
        try {
            model.predict(feeds);
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NullPointerException || cause instanceof ClassCastException || cause instanceof ArrayIndexOutOfBoundsException
                    || cause instanceof NegativeArraySizeException || cause instanceof ArrayStoreException) {
                throw (RuntimeException) cause;
            }
            throw e;
        }
    }

    /** Zeros of each graph input's declared shape (symbolic dimensions as 2), or null when an input is large or untyped. */
    private static Map<String, Object> smallInputs(ModelProto m) {
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : m.getGraph().getInitializerList()) initializers.add(t.getName());
        Map<String, Object> feeds = new HashMap<>();
        for (ValueInfoProto vi : m.getGraph().getInputList()) {
            if (initializers.contains(vi.getName())) continue;
            var type = vi.getType().getTensorType();
            if (!type.hasShape()) return null;
            int[] shape = new int[type.getShape().getDimCount()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                var d = type.getShape().getDim(i);
                shape[i] = d.hasDimValue() ? (int) Math.min(d.getDimValue(), 1 << 20) : 2;
                if (d.hasDimValue() && d.getDimValue() < 0) return null;
                count *= shape[i];
            }
            if (count > 4096) return null;
            boolean floats = !type.hasElemType() || type.getElemType() == 1 || type.getElemType() == 10 || type.getElemType() == 11 || type.getElemType() == 16;
            feeds.put(vi.getName(), floats ? Tensor.zeros(shape) : IntTensor.zeros(shape));
        }
        return feeds;
    }
}
