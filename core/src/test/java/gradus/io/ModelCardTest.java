package gradus.io;

import gradus.files.FileFormatException;
import gradus.inference.Predictor;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The typed model card: directories saved before it, the JSON it writes, its errors, and the input shape it infers. */
class ModelCardTest {
    static final Path FIXTURES = SavedModelFixturesTest.FIXTURES;

    @Test
    void directoriesSavedBeforeTheCardReadAsVersionZero() throws Exception {
        ModelCard mlp = ModelDirectory.readCard(FIXTURES.resolve("mlp"));
        assertEquals(ModelCard.CLASSIFICATION, mlp.task());
        assertEquals("Trouser", mlp.className(1));
        assertArrayEquals(new int[]{1, 28, 28}, mlp.inputShape());
        assertEquals(ModelCard.FLOAT32, mlp.inputDtype());
        assertEquals("standard", mlp.scaler().state().get("type"));
        assertEquals("cross_entropy", mlp.loss());
        assertEquals(List.of("accuracy"), mlp.metrics());
        assertEquals(new ModelCard.Provenance("fixture-mlp", "fashion-mnist-sample:train", 1, null, 42L, null, null), mlp.training());
        assertNull(mlp.tokenizer());

        ModelCard lstm = ModelDirectory.readCard(FIXTURES.resolve("lstm"));
        assertEquals(ModelDirectory.TOKENIZER_FILE, lstm.tokenizer());
        assertEquals(ModelCard.INT32, lstm.inputDtype());
        assertEquals(32, lstm.maxLength());
        assertArrayEquals(new int[]{32}, lstm.inputShape(), "inferred from max_length");

        ModelCard gpt = ModelDirectory.readCard(FIXTURES.resolve("gpt"));
        assertTrue(gpt.isLanguageModel());
        assertArrayEquals(new int[]{16}, gpt.inputShape(), "inferred from the context");
        assertEquals(5, gpt.training().steps());

        ModelCard bert = ModelDirectory.readCard(FIXTURES.resolve("bert"));
        assertNull(bert.task());
        assertEquals(Map.of("normalize", true, "pooling", "mean"), bert.other());
    }

    @Test
    void aSaveWritesTheCardsFieldsWithItsSchemaVersionAndReadsThemBack(@TempDir Path dir) throws Exception {
        ModelCard card = ModelDirectory.readCard(FIXTURES.resolve("mlp"));
        var loaded = ModelDirectory.load(FIXTURES.resolve("mlp"));
        Map<String, Object> fields = new java.util.LinkedHashMap<>(card.toJson());
        fields.remove("schema_version"); // written by the save itself
        ModelDirectory.save(dir, loaded.model(), fields);
        Map<String, Object> json = Json.readObject(dir.resolve(ModelDirectory.CONFIG_FILE));
        assertEquals(ModelCard.SCHEMA_VERSION, json.get("schema_version"));
        assertEquals(List.of(1, 28, 28), json.get("input_shape"));
        assertEquals("float32", json.get("input_dtype"));
        assertEquals(Map.of("recipe", "fixture-mlp", "dataset", "fashion-mnist-sample:train", "epochs", 1, "seed", 42),
                json.get("provenance"));
        ModelCard again = ModelDirectory.readCard(dir);
        assertEquals(card.toJson(), again.toJson());
        Tensor x = SavedModelFixturesTest.images(4);
        assertArrayEquals(loaded.predict(x).toArray(), ModelDirectory.load(dir).predict(x).toArray(), 0f);
    }

    @Test
    void badValuesNameTheKeyAndTheFile(@TempDir Path dir) throws Exception {
        Sequential net = new Sequential(new Linear(3, 2));
        String[][] cases = {
                {"task", "3", "'task' must be a string"},
                {"class_names", "[\"a\", 7]", "'class_names[1]' must be a string"},
                {"max_length", "0", "'max_length' must be a positive integer"},
                {"input_dtype", "\"float64\"", "'input_dtype' must be float32 or int32"},
                {"loss", "[1]", "'loss' must be a loss name"},
                {"provenance", "{\"epochs\": \"many\"}", "'provenance.epochs' must be a positive integer"},
                {"schema_version", "99", "'schema_version' is 99; this Gradus reads model cards up to version 1"},
        };
        for (String[] c : cases) {
            Path d = dir.resolve(c[0]);
            ModelDirectory.save(d, net, Map.of());
            Path config = d.resolve(ModelDirectory.CONFIG_FILE);
            String saved = Files.readString(config);
            String text = c[0].equals("schema_version")
                    ? saved.replaceFirst("\"schema_version\"\\s*:\\s*1", "\"schema_version\": " + c[1])
                    : saved.replaceFirst("\\{", "{\"" + c[0] + "\": " + c[1] + ",");
            Files.writeString(config, text);
            Files.deleteIfExists(d.resolve(ModelDirectory.MANIFEST_FILE)); // hand-edited: no longer the saved set
            var e = assertThrows(FileFormatException.class, () -> ModelDirectory.load(d), c[0]);
            assertTrue(e.getMessage().contains(config.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(c[2]), c[0] + ": " + e.getMessage());
        }
    }

    @Test
    void aModelSavedWithoutAnInputShapeIsServableFromItsFirstLayer(@TempDir Path dir) throws Exception {
        Rng.manualSeed(5);
        Sequential net = new Sequential(new Linear(6, 4), new ReLU(), new Linear(4, 3));
        ModelDirectory.save(dir, net, Map.of("task", "classification", "class_names", List.of("a", "b", "c")));
        assertFalse(Json.readObject(dir.resolve(ModelDirectory.CONFIG_FILE)).containsKey("input_shape"));
        Predictor p = Predictor.load(dir);
        assertArrayEquals(new int[]{6}, p.inputShape());
        Tensor row = p.decodeCsv("1,2,3,4,5,6");
        float[] out = p.forward(row.unsqueeze(0)).toArray();
        assertArrayEquals(net.predict(Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 1, 6)).toArray(), out, 0f);
        var ranked = p.classify(out);
        assertEquals(3, ranked.size());
        double sum = 0;
        for (var s : ranked) sum += s.probability();
        assertEquals(1, sum, 1e-6);
        assertTrue(ranked.get(0).probability() >= ranked.get(1).probability());
        assertEquals(List.of("a", "b", "c"), ranked.stream().map(Predictor.Scored::label).sorted().toList());
    }

    @Test
    void anInputShapeThatCannotBeInferredIsNamed(@TempDir Path dir) throws Exception {
        ModelDirectory.save(dir, new Sequential(new ReLU()), Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> Predictor.load(dir).inputShape());
        assertTrue(e.getMessage().contains("'input_shape' is missing"), e.getMessage());
    }
}
