package gradus.io;

import gradus.files.FileFormatException;
import gradus.config.ConfigException;
import gradus.nn.Layers;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ParameterBudget;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, item 14: a config.json is checked against its weight file before layers allocate, its application fields
 * (input_shape, preprocessing) are typed, and a recipe's model is capped: clear errors naming the file and key, never
 * an OutOfMemoryError or a JDK exception.
 */
class ModelConfigLimitsTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final String LINEAR = "{\"type\": \"Sequential\", \"layers\": [{\"type\": \"Linear\", \"in\": 4, \"out\": 3}]}";

    @TempDir
    Path root;

    /** A valid model directory (Linear 4→3, input_shape [4]) whose config.json then gets {@code model} and {@code fields}. */
    private Path directory(String model, String fields) throws IOException {
        Path dir = root.resolve("m");
        ModelDirectory.save(dir, new Sequential(new Linear(4, 3)), Map.of("input_shape", List.of(4)));
        Files.writeString(dir.resolve(ModelDirectory.CONFIG_FILE),
                "{\"format\": \"gradus\", \"format_version\": 1, \"model\": " + model + (fields.isEmpty() ? "" : ", " + fields) + "}");
        Files.delete(dir.resolve("manifest.json")); // a hand-edited directory: no manifest to hold it to the saved set
        return dir;
    }

    private static FileFormatException refused(Path dir, String... expected) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        var e = assertThrows(FileFormatException.class, () -> ModelDirectory.load(dir));
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 64 << 20, "refusing allocated " + allocated + " bytes");
        assertTrue(e.getMessage().contains(dir.resolve(ModelDirectory.CONFIG_FILE).toString()), e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\": \"Linear\", \"in\": 30000, \"out\": 30000}",
            "{\"type\": \"Conv2d\", \"in\": 3000, \"out\": 3000, \"kernel\": 11}",
            "{\"type\": \"BatchNorm1d\", \"features\": 400000000}",
            "{\"type\": \"LayerNorm\", \"shape\": [20000, 20000]}",
            "{\"type\": \"LSTM\", \"input_size\": 8, \"hidden_size\": 20000}",
            "{\"type\": \"GRU\", \"input_size\": 8, \"hidden_size\": 8, \"num_layers\": 1000000000}",
            "{\"type\": \"Embedding\", \"num_embeddings\": 1000000000, \"dim\": 64}",
            "{\"type\": \"Linear\", \"in\": 2147483647, \"out\": 2147483647}"})
    void declaredSizesBeyondTheWeightFileAreRefusedBeforeAllocating(String layer) throws IOException {
        Path dir = directory("{\"type\": \"Sequential\", \"layers\": [" + layer + "]}", "");
        refused(dir, "cannot build the model", "model.layers[0]", "model.safetensors");
    }

    @Test
    void aNearMissStillNamesTheMismatchedTensor() throws IOException {
        Path dir = directory("{\"type\": \"Sequential\", \"layers\": [{\"type\": \"Linear\", \"in\": 5, \"out\": 3}]}", "");
        var e = assertThrows(FileFormatException.class, () -> ModelDirectory.load(dir));
        assertTrue(e.getMessage().contains("0.weight"), e.getMessage());
    }

    @Test
    void aHugeSinusoidalMaxLenBuildsWithoutAllocatingItsTable() throws IOException {
        Module pe = Layers.fromConfig(Map.of("type", "SinusoidalPositionalEncoding", "max_len", 1_000_000_000, "dim", 8));
        Tensor y = pe.forward(Tensor.zeros(3, 8));
        assertEquals(1f, y.get(0, 1), 1e-6f); // cos(0)
        assertEquals((float) Math.sin(2), y.get(2, 0), 1e-6f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1e30]", "[\"a\"]", "[null]", "[[1]]", "[]", "[0]", "[-1]", "5", "[4294967296]", "[65536, 65536]"})
    void aBadInputShapeIsNamed(String shape) throws IOException {
        Path dir = directory(LINEAR, "\"input_shape\": " + shape);
        refused(dir, "input_shape");
    }

    @Test
    void aScalerWithANonNumberIsNamed() throws IOException {
        Path dir = directory(LINEAR, "\"input_shape\": [4], \"preprocessing\": {\"scaler\": "
                + "{\"type\": \"standard\", \"mean\": [0, \"x\", 0, 0], \"std\": [1, 1, 1, 1]}}");
        refused(dir, "preprocessing.scaler.mean[1]");
    }

    @Test
    void preprocessingMustBeAMapping() throws IOException {
        refused(directory(LINEAR, "\"input_shape\": [4], \"preprocessing\": 5"), "'preprocessing'");
    }

    @Test
    void aScalerThatCannotApplyIsRefusedAtLoadNotAtTheFirstRequest() throws IOException {
        refused(directory(LINEAR, "\"input_shape\": [4], \"preprocessing\": {\"scaler\": "
                + "{\"type\": \"standard\", \"mean\": [0, 0, 0, 0], \"std\": [1, 1, 0, 1]}}"), "preprocessing.scaler");
        refused(directory(LINEAR, "\"input_shape\": [4], \"preprocessing\": {\"scaler\": "
                + "{\"type\": \"bogus\", \"mean\": [0, 0, 0, 0]}}"), "preprocessing.scaler");
    }

    @Test
    void aValidScalerLoads() throws IOException {
        Path dir = directory(LINEAR, "\"input_shape\": [4], \"preprocessing\": {\"scaler\": "
                + "{\"type\": \"standard\", \"mean\": [0, 1, 0, 0], \"std\": [1, 1, 2, 1]}}");
        assertEquals(15, ModelDirectory.load(dir).model().parameterCount());
    }

    @Test
    void aRecipeModelBeyondTheLimitIsAClearError() {
        String old = System.setProperty(ParameterBudget.PROPERTY, "100000");
        try {
            var e = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "Sequential", "layers", List.of(
                    Map.of("type", "Linear", "in", 200, "out", 200), Map.of("type", "Linear", "in", 200, "out", 400)))));
            assertTrue(e.getMessage().contains("model.layers[1]") && e.getMessage().contains(ParameterBudget.PROPERTY), e.getMessage());
            assertEquals(40200, Layers.fromConfig(Map.of("type", "Linear", "in", 200, "out", 200)).parameterCount());
        } finally {
            if (old == null) System.clearProperty(ParameterBudget.PROPERTY);
            else System.setProperty(ParameterBudget.PROPERTY, old);
        }
    }

    @Test
    void aModelThatNoArrayHoldsIsAClearErrorEvenWithoutALimit() {
        var e = assertThrows(ConfigException.class, () -> Layers.fromConfig(Map.of("type", "Linear", "in", 100000, "out", 100000)));
        assertTrue(e.getMessage().contains("model") && e.getMessage().contains("Linear"), e.getMessage());
    }
}
