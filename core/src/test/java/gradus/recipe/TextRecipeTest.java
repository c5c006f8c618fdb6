package gradus.recipe;

import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.data.datasets.TextData;
import gradus.data.datasets.TextEncoding;
import gradus.io.ModelDirectory;
import gradus.models.GenerationConfig;
import gradus.models.Gpt;
import gradus.models.TextGenerator;
import gradus.text.Tokenizer;
import gradus.train.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Text recipes end to end on the samples that ship in data/: train, save, reload, evaluate, generate. */
class TextRecipeTest {
    private static Recipe.Result run(Map<String, Object> recipe, Path out) throws Exception {
        var log = new PrintStream(new ByteArrayOutputStream());
        return new Recipe(new Config("test", recipe)).run(new Recipe.Options(out, null, null, null, false, log));
    }

    @Test
    void charGptLearnsMobyDickSampleAndGenerates(@TempDir Path dir) throws Exception {
        Map<String, Object> recipe = Map.of(
                "seed", 3,
                "data", Map.of("train", "moby-dick-sample:train", "validation", "moby-dick-sample:val",
                        "tokenizer", Map.of("type", "char"), "context", 32),
                "model", Map.of("type", "Gpt", "context_length", 32, "layers", 2, "heads", 2, "width", 32),
                "optimizer", Map.of("type", "adamw", "lr", 3e-3, "betas", List.of(0.9, 0.95), "weight_decay", 0.1),
                "training", Map.of("steps", 150, "batch_size", 16));
        Recipe.Result result = run(recipe, dir);
        assertTrue(Files.isRegularFile(result.modelDir().resolve("tokenizer.json")));
        var loaded = ModelDirectory.load(result.modelDir());
        Tokenizer tokenizer = ModelDirectory.tokenizer(result.modelDir());
        int vocab = tokenizer.vocabSize();
        assertEquals("language_model", loaded.config().get("task"));

        var val = TextEncoding.forModel(TextData.open("moby-dick-sample:val", null), tokenizer, loaded.card().task(), loaded.card().context(), loaded.card().maxLength());
        var report = Evaluation.run(loaded.model(), loaded.card(), val, 16);
        double loss = (Double) report.summary().get("loss");
        // uniform guessing costs ln(vocab) ≈ 4.1 nats; 150 steps of a small GPT learn the character statistics
        assertTrue(loss < Math.log(vocab) - 1.2, "val loss " + loss + " vs ln(vocab) " + Math.log(vocab));
        assertEquals(Math.exp(loss), (Double) report.summary().get("perplexity"), 1e-9);

        var generator = new TextGenerator((Gpt) loaded.model(), tokenizer);
        StringBuilder streamed = new StringBuilder();
        var settings = GenerationConfig.builder().maxNewTokens(40).temperature(0.8f).topK(10).seed(5).build();
        var sample = generator.generate("The whale", settings, streamed::append);
        assertEquals(sample.text(), streamed.toString(), "the streamed pieces add up to the text");
        assertEquals(40, sample.completionTokens());
        assertEquals(sample, generator.generate("The whale", settings), "same seed, same text");
        var uncached = generator.generate("The whale", settings.toBuilder().useCache(false).build());
        assertEquals(sample.text(), uncached.text(), "the KV cache changes nothing but speed");
        assertThrows(IllegalArgumentException.class, () -> generator.generate("", settings));
    }

    @Test
    void lstmClassifierLearnsSpamSample(@TempDir Path dir) throws Exception {
        Map<String, Object> recipe = Map.of(
                "seed", 0,
                "data", Map.of("train", "spam-assassin-sample:train", "test", "spam-assassin-sample:test",
                        "tokenizer", Map.of("type", "word", "max_vocab", 3000), "max_length", 128),
                "model", Map.of("type", "LstmClassifier", "embed_dim", 32, "hidden", 32, "bidirectional", true, "pooling", "max"),
                "optimizer", Map.of("type", "adam", "lr", 3e-3),
                "training", Map.of("epochs", 8, "batch_size", 16));
        Recipe.Result result = run(recipe, dir);
        // 49 of the 85 test messages are ham: always answering ham scores 0.58
        assertTrue(result.test().get("accuracy") >= 0.78, "sample test accuracy " + result.test());

        var loaded = ModelDirectory.load(result.modelDir());
        var test = TextEncoding.forModel(TextData.open("spam-assassin-sample:test", null), ModelDirectory.tokenizer(result.modelDir()),
                loaded.card().task(), loaded.card().context(), loaded.card().maxLength());
        var report = Evaluation.run(loaded.model(), loaded.card(), test, 64);
        assertEquals(result.test().get("accuracy"), (Double) report.summary().get("accuracy"), 1e-6, "reloaded model, same accuracy");
        @SuppressWarnings("unchecked")
        var perClass = (Map<String, Object>) report.summary().get("per_class");
        assertEquals(java.util.Set.of("ham", "spam"), perClass.keySet());
    }

    @Test
    void badTextConfigNamesTheKey(@TempDir Path dir) {
        Map<String, Object> recipe = Map.of(
                "data", Map.of("train", "moby-dick-sample:train", "tokenizer", Map.of("type", "morse")),
                "model", Map.of("type", "Gpt", "context_length", 8, "layers", 1, "heads", 1, "width", 8));
        var e = assertThrows(ConfigException.class, () -> run(recipe, dir));
        assertTrue(e.getMessage().contains("type") && e.getMessage().contains("morse"), e.getMessage());

        Map<String, Object> mixed = Map.of(
                "data", Map.of("train", "moby-dick-sample:train", "validation", "spam-assassin-sample:test",
                        "tokenizer", Map.of("type", "char")),
                "model", Map.of("type", "Gpt", "context_length", 8, "layers", 1, "heads", 1, "width", 8));
        var e2 = assertThrows(ConfigException.class, () -> run(mixed, dir));
        assertTrue(e2.getMessage().contains("validation"), e2.getMessage());

        Map<String, Object> small = Map.of(
                "data", Map.of("train", "moby-dick-sample:train", "tokenizer", Map.of("type", "char")),
                "model", Map.of("type", "Gpt", "vocab_size", 10, "context_length", 8, "layers", 1, "heads", 1, "width", 8));
        var e3 = assertThrows(ConfigException.class, () -> run(small, dir));
        assertTrue(e3.getMessage().contains("model.vocab_size is 10"), e3.getMessage());
    }
}
