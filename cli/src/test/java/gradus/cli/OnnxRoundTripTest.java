package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.datasets.FashionMnist;
import gradus.io.ModelDirectory;
import gradus.io.onnx.OnnxChecker;
import gradus.io.onnx.OrtRunner;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * train → export → import from the CLI: an MLP (with its input scaler) and a CNN come back as native layers with
 * their card, giving the outputs of the original and of ONNX Runtime on the export (issue 14, item 5).
 */
class OnnxRoundTripTest {
    private static final float TOLERANCE = 1e-5f;

    @TempDir
    Path dir;

    private static final String MLP = """
            name: mlp
            seed: 2
            data: {train: fashion-mnist-sample:train, scale: standard}
            model:
              type: Sequential
              layers:
                - {type: Flatten}
                - {type: Linear, in: 784, out: 16}
                - {type: Tanh}
                - {type: Linear, in: 16, out: 10}
            training: {epochs: 1, batch_size: 100}
            """;

    private static final String CNN = """
            name: cnn
            seed: 2
            data: {train: fashion-mnist-sample:train}
            model:
              type: Sequential
              layers:
                - {type: Conv2d, in: 1, out: 4, kernel: 3, padding: 1, activation: relu}
                - {type: BatchNorm2d, features: 4}
                - {type: MaxPool2d, kernel: 2}
                - {type: Conv2d, in: 4, out: 4, kernel: 3, stride: 2}
                - {type: ReLU}
                - {type: AvgPool2d, kernel: 2}
                - {type: Flatten}
                - {type: Dropout, p: 0.1}
                - {type: Linear, in: 36, out: 10}
            training: {epochs: 1, batch_size: 100}
            """;

    @Test
    void scaledMlpRoundTrips() throws Exception {
        Path imported = roundTrip("mlp", MLP);
        Map<?, ?> card = new ObjectMapper().readValue(imported.resolve(ModelDirectory.CONFIG_FILE).toFile(), Map.class);
        assertEquals("standard", ((Map<?, ?>) ((Map<?, ?>) card.get("preprocessing")).get("scaler")).get("type"), card.toString());
    }

    @Test
    void cnnRoundTrips() throws Exception {
        roundTrip("cnn", CNN);
    }

    /** Trains the recipe, exports and re-imports it with the CLI, and checks outputs and card; returns the imported directory. */
    private Path roundTrip(String name, String recipe) throws Exception {
        Path yaml = Files.writeString(dir.resolve(name + ".yaml"), recipe);
        CliTest.Run train = CliTest.cli("train", yaml.toString(), "--out", dir.resolve(name).toString(), "--no-progress");
        assertEquals(0, train.code(), train.err());
        Path original = dir.resolve(name + "/model"), onnx = dir.resolve(name + ".onnx"), imported = dir.resolve(name + "-imported");

        CliTest.Run export = CliTest.cli("export", original.toString(), "--out", onnx.toString());
        assertEquals(0, export.code(), export.err());
        OnnxChecker.assertValid(onnx);
        CliTest.Run load = CliTest.cli("import", onnx.toString(), "--out", imported.toString());
        assertEquals(0, load.code(), load.err());

        Tensor raw = examples();
        var before = ModelDirectory.load(original);
        var after = ModelDirectory.load(imported);
        assertInstanceOf(Sequential.class, after.model(), "native layers, trainable and exportable again");
        assertEquals(before.config().get("class_names"), after.config().get("class_names"));
        assertEquals("classification", after.config().get("task"));
        assertEquals(List.of(1, 28, 28), after.config().get("input_shape"));
        Tensor expected = before.predict(raw);
        assertClose(expected, after.predict(raw), name + " re-imported");
        try (OrtRunner ort = new OrtRunner(onnx, 1)) {
            assertClose(expected, ort.run(Map.of("input", raw)), name + " in ONNX Runtime");
        }

        CliTest.Run predict = CliTest.cli("predict", imported.toString(), "fashion-mnist-sample:test#3");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(FashionMnist.CLASS_NAMES.stream().anyMatch(predict.out()::contains), "class names come back: " + predict.out());
        return imported;
    }

    private static Tensor examples() {
        var test = FashionMnist.sample("test");
        return Tensor.stack(List.of(test.get(new int[]{0}).x().select(0, 0), test.get(new int[]{9}).x().select(0, 0)), 0);
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        float[] e = expected.toArray(), a = actual.toArray();
        double max = 0;
        for (int i = 0; i < e.length; i++) max = Math.max(max, Math.abs(e[i] - a[i]));
        assertTrue(max <= TOLERANCE * Math.max(1, maxAbs(e)), what + " differs by up to " + max);
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
