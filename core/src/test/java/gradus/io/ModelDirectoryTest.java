package gradus.io;

import gradus.files.FileFormatException;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModelDirectoryTest {
    @TempDir
    Path root;

    private static Module mlp(int hidden) {
        return new Sequential(new Linear(4, hidden), new ReLU(), new Linear(hidden, 3));
    }

    private static Map<String, Object> extra() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("task", "classification");
        e.put("class_names", List.of("setosa", "versicolor", "virginica"));
        e.put("input_shape", List.of(4));
        e.put("preprocessing", Map.of("mean", List.of(5.8, 3.0, 3.7, 1.2)));
        e.put("training", Map.of("lr", 0.001, "epochs", 20));
        return e;
    }

    private Path saved() throws IOException {
        Path dir = root.resolve("iris");
        ModelDirectory.save(dir, mlp(8), extra());
        return dir;
    }

    private static <E extends Exception> E assertNames(Class<E> type, Path file, String problem, org.junit.jupiter.api.function.Executable call) {
        E e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(file.toString()), "file not named in: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void saveAndLoadRoundTrip() throws IOException {
        Module model = mlp(8);
        Path dir = root.resolve("m");
        ModelDirectory.save(dir, model, extra());

        String json = Files.readString(dir.resolve("config.json"));
        assertTrue(json.startsWith("""
                {
                  "format": "gradus",
                  "format_version": 1,
                  "model": {
                    "type": "Sequential",
                    "layers": [
                      {
                        "type": "Linear",
                        "in": 4,
                        "out": 8,
                        "bias": true
                      },
                      {
                        "type": "ReLU"
                      },"""), json);
        assertTrue(json.contains("""
                  "task": "classification",
                  "class_names": [
                    "setosa",
                    "versicolor",
                    "virginica"
                  ],
                  "input_shape": [
                    4
                  ],
                """), json);

        var loaded = ModelDirectory.load(dir);
        assertFalse(loaded.model().isTraining());
        assertEquals(model.config(), loaded.config().get("model"));
        assertEquals(List.of("setosa", "versicolor", "virginica"), loaded.config().get("class_names"));
        assertEquals(List.of(4), loaded.config().get("input_shape"));
        assertEquals(Map.of("lr", 0.001, "epochs", 20), loaded.config().get("training"));
        var expected = model.stateDict();
        var actual = loaded.model().stateDict();
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(bits(expected.get(k).toArray()), bits(actual.get(k).toArray()), k);
        }
        Tensor x = Tensor.normal(new Rng(3), 0f, 1f, 5, 4);
        assertArrayEquals(model.predict(x).toArray(), loaded.model().predict(x).toArray(), 0f);

        // Saving again replaces both files, leaving no temporary files behind.
        ModelDirectory.save(dir, mlp(8), Map.of());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("config.json", "manifest.json", "model.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(Map.of("format", "gradus", "format_version", "1"), Safetensors.read(dir.resolve("model.safetensors")).metadata());
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @Test
    void missingDirectoryAndFilesAreNamed() throws IOException {
        Path nowhere = root.resolve("nowhere");
        assertNames(NoSuchFileException.class, nowhere, "model directory not found", () -> ModelDirectory.load(nowhere));
        Path file = Files.writeString(root.resolve("plain.txt"), "x");
        assertNames(FileFormatException.class, file, "not a directory", () -> ModelDirectory.load(file));

        Path dir = saved();
        Files.delete(dir.resolve("model.safetensors"));
        assertNames(NoSuchFileException.class, dir.resolve("model.safetensors"), "missing model.safetensors", () -> ModelDirectory.load(dir));
        Files.delete(dir.resolve("config.json"));
        assertNames(NoSuchFileException.class, dir.resolve("config.json"), "missing config.json", () -> ModelDirectory.load(dir));
    }

    @Test
    void corruptConfigIsNamedWithTheJsonProblem() throws IOException {
        Path dir = saved();
        Path config = dir.resolve("config.json");
        String good = Files.readString(config);

        Files.writeString(config, good.substring(0, good.length() / 2));
        assertNames(FileFormatException.class, config, "invalid JSON at line", () -> ModelDirectory.load(dir));
        Files.writeString(config, good.replace("\"task\"", "\"format\""));
        assertNames(FileFormatException.class, config, "Duplicate field 'format'", () -> ModelDirectory.load(dir));
        Files.writeString(config, "[1, 2]");
        assertNames(FileFormatException.class, config, "expected a JSON object, got array", () -> ModelDirectory.load(dir));
        Files.writeString(config, "");
        assertNames(FileFormatException.class, config, "empty file", () -> ModelDirectory.load(dir));
        Files.writeString(config, good.replace("\"format_version\": 1", "\"format_version\": 2"));
        assertNames(FileFormatException.class, config, "unsupported format_version 2; this Gradus reads version 1 (the model was saved by a newer Gradus)",
                () -> ModelDirectory.load(dir));
        Files.writeString(config, good.replace("\"format\": \"gradus\"", "\"format\": \"keras\""));
        assertNames(FileFormatException.class, config, "'format' is 'keras', expected 'gradus'", () -> ModelDirectory.load(dir));
        Files.writeString(config, good.replace("\"Linear\"", "\"Conv9d\""));
        assertNames(FileFormatException.class, config, "cannot build the model: unknown layer type 'Conv9d'", () -> ModelDirectory.load(dir));
        Files.writeString(config, good.replace("\"in\": 4", "\"in\": 4, \"units\": 9"));
        assertNames(FileFormatException.class, config, "unknown key units", () -> ModelDirectory.load(dir));
        Files.writeString(config, "{\"format\": \"gradus\", \"format_version\": 1}");
        assertNames(FileFormatException.class, config, "missing 'model' section", () -> ModelDirectory.load(dir));
    }

    @Test
    void weightsThatDoNotMatchTheArchitectureAreNamed() throws IOException {
        Path dir = saved();
        Path weights = dir.resolve("model.safetensors");
        // The config now says hidden=9 while the weights were saved for hidden=8.
        Path other = root.resolve("other");
        ModelDirectory.save(other, mlp(9), extra());
        Files.copy(other.resolve("config.json"), dir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        assertNames(FileFormatException.class, weights, "shape mismatch for '0.weight': checkpoint has [8, 4], model has [9, 4]", () -> ModelDirectory.load(dir));

        Module noBias = new Sequential(new Linear(4, 8, false), new ReLU(), new Linear(8, 3));
        ModelDirectory.save(other, noBias, Map.of());
        Files.copy(other.resolve("config.json"), dir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        assertNames(FileFormatException.class, weights, "unexpected keys: [0.bias]", () -> ModelDirectory.load(dir));

        byte[] bytes = Files.readAllBytes(weights);
        ModelDirectory.save(dir, mlp(8), Map.of());
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 3));
        assertNames(FileFormatException.class, weights, "beyond the", () -> ModelDirectory.load(dir));
    }

    @Test
    void reservedExtraKeysAreRejectedBeforeWriting() {
        Path dir = root.resolve("r");
        var e = assertThrows(IllegalArgumentException.class, () -> ModelDirectory.save(dir, mlp(8), Map.of("model", "x")));
        assertTrue(e.getMessage().contains("key 'model' is reserved"), e.getMessage());
        assertFalse(Files.exists(dir));
    }

    @Test
    void trainingStateRoundTripAndAbsence() throws IOException {
        Path dir = saved();
        assertTrue(ModelDirectory.loadTrainingState(dir).isEmpty());

        Map<String, Tensor> slots = new LinkedHashMap<>();
        slots.put("0.weight.exp_avg", Tensor.normal(new Rng(5), 0f, 1f, 8, 4));
        slots.put("0.weight.exp_avg_sq", Tensor.uniform(new Rng(6), 0f, 1f, 8, 4));
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("epoch", 3);
        trainer.put("step", 1200L);
        trainer.put("lr", 3e-4);
        trainer.put("best_metric", Map.of("val_accuracy", 0.97));
        ModelDirectory.save(dir, mlp(8), extra(), new ModelDirectory.TrainingState(slots, trainer));

        var state = ModelDirectory.loadTrainingState(dir).orElseThrow();
        assertEquals(Map.of("epoch", 3, "step", 1200, "lr", 3e-4, "best_metric", Map.of("val_accuracy", 0.97)), state.trainer());
        assertEquals(List.copyOf(slots.keySet()), List.copyOf(state.optimizer().keySet()));
        for (String k : slots.keySet()) assertArrayEquals(slots.get(k).toArray(), state.optimizer().get(k).toArray(), 0f);

        Files.delete(dir.resolve("manifest.json")); // a hand-made directory: read unchecked
        Files.delete(dir.resolve("training_state.json"));
        assertNames(FileFormatException.class, dir.resolve("training_state.json"), "is incomplete (optimizer.safetensors exists without it)",
                () -> ModelDirectory.loadTrainingState(dir));
        Files.writeString(dir.resolve("training_state.json"), "{\"format\": \"gradus\", \"format_version\": 7, \"epoch\": 1}");
        assertNames(FileFormatException.class, dir.resolve("training_state.json"), "unsupported format_version 7",
                () -> ModelDirectory.loadTrainingState(dir));
        assertThrows(NoSuchFileException.class, () -> ModelDirectory.loadTrainingState(root.resolve("missing")));
    }

    @Test
    void describeSummarizesFilesLayersAndSettings() throws IOException {
        Path dir = saved();
        String text = ModelDirectory.describe(dir);
        assertTrue(text.contains("config.json"), text);
        assertTrue(text.matches("(?s).*model\\.safetensors +[0-9.]+ (B|KiB)\n.*"), text);
        assertTrue(text.contains("  Layer  Type                              Parameters\n"
                + "  0      Linear(in=4, out=8, bias=true)            40\n"
                + "  1      ReLU                                       0\n"
                + "  2      Linear(in=8, out=3, bias=true)            27\n"), text);
        assertTrue(text.contains("Trainable parameters: 67\n"), text);
        assertTrue(text.contains("Stored tensors: 4 (67 values, F32)\n"), text);
        assertTrue(text.contains("  class_names: [\"setosa\",\"versicolor\",\"virginica\"]\n"), text);
        assertFalse(text.contains("WARNING"), text);

        Path other = root.resolve("other");
        ModelDirectory.save(other, mlp(9), Map.of());
        Files.copy(other.resolve("model.safetensors"), dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(ModelDirectory.describe(dir).contains("WARNING: model.safetensors does not match the architecture: '0.weight' is [9, 4], model has [8, 4];"),
                ModelDirectory.describe(dir));
    }

    @Test
    void humanBytes() {
        assertEquals("812 B", ModelDirectory.humanBytes(812));
        assertEquals("1.5 KiB", ModelDirectory.humanBytes(1536));
        assertEquals("3.0 MiB", ModelDirectory.humanBytes(3L << 20));
    }
}
