package gradus.recipe;

import gradus.config.Config;
import gradus.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The seq2seq recipe on the subject-line sample that ships in data/: config errors, and a short run that reports ROUGE. */
class Seq2SeqRecipeTest {
    private static Map<String, Object> recipe(Map<String, Object> model) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seed", 0);
        r.put("data", Map.of("train", "spam-assassin-sample-subjects:train", "test", "spam-assassin-sample-subjects:test",
                "tokenizer", Map.of("type", "word", "max_vocab", 300, "pattern", "[a-z0-9]+", "lowercase", true)));
        r.put("model", model);
        r.put("optimizer", Map.of("type", "adamw", "lr", 3e-3));
        r.put("training", Map.of("steps", 10, "batch_size", 16));
        r.put("generate", Map.of("beams", 2, "max_examples", 4));
        return r;
    }

    private static Map<String, Object> model(Object... extra) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("type", "Seq2SeqTransformer", "source_length", 16, "target_length", 6,
                "width", 16, "heads", 2, "encoder_layers", 1, "decoder_layers", 1, "dropout", 0.0));
        for (int i = 0; i < extra.length; i += 2) m.put((String) extra[i], extra[i + 1]);
        return m;
    }

    private static Recipe.Result run(Map<String, Object> recipe, Path out, ByteArrayOutputStream log) throws Exception {
        return new Recipe(new Config("test", recipe)).run(new Recipe.Options(out, null, null, null, false, new PrintStream(log, true, StandardCharsets.UTF_8)));
    }

    @Test
    void anUnknownModelKeyIsNamed(@TempDir Path dir) {
        var e = assertThrows(ConfigException.class, () -> run(recipe(model("decoder_layer", 2)), dir, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("decoder_layer"), e.getMessage());
    }

    @Test
    void aVocabularyTooSmallForTheTokenizerIsNamed(@TempDir Path dir) {
        var e = assertThrows(ConfigException.class, () -> run(recipe(model("vocab_size", 10)), dir, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("vocab_size") && e.getMessage().contains("10"), e.getMessage());
    }

    @Test
    void aSpecialIdOutsideTheVocabularyIsNamed(@TempDir Path dir) {
        var e = assertThrows(ConfigException.class, () -> run(recipe(model("vocab_size", 400, "eos_id", 400)), dir, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("eos 400") && e.getMessage().contains("model"), e.getMessage());
    }

    @Test
    void anUnknownGenerateKeyIsNamed(@TempDir Path dir) {
        Map<String, Object> r = recipe(model());
        r.put("generate", Map.of("beam", 2));
        var e = assertThrows(ConfigException.class, () -> run(r, dir, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("beam"), e.getMessage());
    }

    @Test
    void aShortRunSavesTheModelAndReportsRouge(@TempDir Path dir) throws Exception {
        var log = new ByteArrayOutputStream();
        Recipe.Result result = run(recipe(model()), dir, log);
        assertTrue(Files.isRegularFile(result.modelDir().resolve("tokenizer.json")), "tokenizer saved");
        for (String k : new String[]{"greedy_rouge1", "greedy_rouge2", "greedy_rougeL", "beam_rouge1", "beam_rouge2", "beam_rougeL"}) {
            Double v = result.test().get(k);
            assertNotNull(v, k + " in " + result.test());
            assertTrue(v >= 0 && v <= 100, k + " = " + v);
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("test ROUGE on 4 pairs"), log.toString(StandardCharsets.UTF_8));
    }
}
