package gradus.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.io.ModelDirectory;
import gradus.privacy.NoiseMultiplier;
import gradus.privacy.PrivacyAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A recipe's privacy section: σ from the budget, Poisson batches, ε in the log, the metrics and the model card. */
class PrivacyRecipeTest {
    private static Config recipe(Path data, Map<String, Object> privacy) {
        return new Config("test", Map.of(
                "name", "blobs-dp",
                "data", Map.of("train", data.toString()),
                "model", Map.of("type", "Sequential", "layers", List.of(Map.of("type", "Linear", "in", 2, "out", 8),
                        Map.of("type", "Tanh"), Map.of("type", "Linear", "in", 8, "out", 2))),
                "optimizer", Map.of("type", "sgd", "lr", 0.5),
                "privacy", privacy,
                "training", Map.of("epochs", 3, "batch_size", 20)));
    }

    private static Path blobs(Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 200; i++) {
            int c = i % 2;
            csv.append(c * 4 - 2 + (i % 7) * 0.1).append(',').append(c * 4 - 2 - (i % 5) * 0.1).append(',').append(c == 0 ? "a" : "b").append('\n');
        }
        return Files.writeString(dir.resolve("blobs.csv"), csv);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTargetEpsilonRecipeTrainsWithinBudgetAndRecordsTheSpend(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        var log = new ByteArrayOutputStream();
        var result = new Recipe(recipe(blobs(dir), Map.of("target_epsilon", 3, "delta", 1e-3, "max_grad_norm", 1.0, "accountant", "rdp")))
                .run(new Recipe.Options(out, null, null, null, false, new PrintStream(log)));
        double q = 20 / 200.0;
        double sigma = NoiseMultiplier.find("rdp", 3, 1e-3, q, NoiseMultiplier.stepsForEpochs(3, q), NoiseMultiplier.EPSILON_TOLERANCE);
        PrivacyAccountant rdp = PrivacyAccountant.create("rdp");
        for (int s = 0; s < 30; s++) rdp.step(sigma, q); // 3 epochs of ⌊1/q⌋ = 10 Poisson batches
        double eps = rdp.epsilon(1e-3);

        Map<String, Object> privacy = (Map<String, Object>) ModelDirectory.readConfig(out.resolve("model")).get("privacy");
        assertEquals(eps, ((Number) privacy.get("epsilon")).doubleValue(), 1e-9);
        assertTrue(eps <= 3, "ε " + eps);
        assertEquals(sigma, ((Number) privacy.get("noise_multiplier")).doubleValue());
        assertEquals(30, ((Number) privacy.get("steps")).intValue());
        assertEquals(eps, result.history().epochs().getLast().get("epsilon"), 1e-9);
        String lastEpoch = Files.readAllLines(out.resolve("metrics.jsonl")).getLast();
        assertEquals(eps, ((Number) new ObjectMapper().readValue(lastEpoch, Map.class).get("epsilon")).doubleValue(), 1e-9);
        assertTrue(log.toString().contains("epsilon"), log.toString());
        assertTrue(result.history().epochs().getLast().get("accuracy") > 0.9, "separable blobs are learnt under DP: " + result.history().epochs().getLast());
    }

    @Test
    void theSectionNeedsOneNoiseSettingAndABound(@TempDir Path dir) throws Exception {
        Path data = blobs(dir);
        var e = assertThrows(ConfigException.class, () -> new Recipe(recipe(data, Map.of("target_epsilon", 3, "noise_multiplier", 1, "max_grad_norm", 1))));
        assertTrue(e.getMessage().contains("exactly one of target_epsilon and noise_multiplier"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new Recipe(recipe(data, Map.of("noise_multiplier", 1))));
        assertTrue(e.getMessage().contains("max_grad_norm"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new Recipe(recipe(data, Map.of("noise_multiplier", 1, "max_grad_norm", 1, "epsilon", 3))));
        assertTrue(e.getMessage().contains("epsilon"), e.getMessage());
    }
}
