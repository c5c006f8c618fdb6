package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code gradus train --steps N}, and an --epochs override that would not apply is refused, not ignored (issue 14, item 3). */
class TrainStepsTest {
    // 600 moons rows, batch 50: 12 steps per epoch.
    private static final String RECIPE = """
            name: moons-%s
            seed: 1
            data: {train: %s}
            model:
              type: Sequential
              layers:
                - {type: Linear, in: 2, out: 4}
                - {type: Tanh}
                - {type: Linear, in: 4, out: 1}
            loss: bce_with_logits
            training: {%s, batch_size: 50}
            """;

    @TempDir
    Path dir;

    private Path recipe(String name, String length) throws Exception {
        Path moons = Path.of("../examples/data/moons.csv");
        if (!Files.exists(moons)) moons = Path.of("examples/data/moons.csv");
        return Files.writeString(dir.resolve(name + ".yaml"), RECIPE.formatted(name, moons.toAbsolutePath(), length));
    }

    private CliTest.Run train(Path recipe, String... overrides) {
        String[] args = new String[overrides.length + 5];
        args[0] = "train";
        args[1] = recipe.toString();
        args[2] = "--no-progress";
        args[3] = "--out";
        args[4] = dir.resolve("run-" + recipe.getFileName()).toString();
        System.arraycopy(overrides, 0, args, 5, overrides.length);
        return CliTest.cli(args);
    }

    private int stepsRun(Path recipe) throws Exception {
        Path state = dir.resolve("run-" + recipe.getFileName()).resolve("model/training_state.json");
        return ((Number) new ObjectMapper().readValue(state.toFile(), Map.class).get("global_step")).intValue();
    }

    @Test
    void stepsOverridesTheEpochsOfAnEpochRecipe() throws Exception {
        Path r = recipe("epochs", "epochs: 3");
        CliTest.Run run = train(r, "--steps", "5");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("5 steps"), run.out());
        assertEquals(5, stepsRun(r));
    }

    @Test
    void stepsOverridesTheStepsOfAStepRecipe() throws Exception {
        Path r = recipe("steps", "steps: 30");
        CliTest.Run run = train(r, "--steps", "14");
        assertEquals(0, run.code(), run.err());
        assertEquals(14, stepsRun(r), "14 steps cross an epoch boundary (12 per epoch) and stop there");
    }

    @Test
    void epochsOnAStepRecipeIsRefusedNamingSteps() throws Exception {
        Path r = recipe("refused", "steps: 30");
        CliTest.Run run = train(r, "--epochs", "1");
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().contains("--epochs does not apply") && run.err().contains("training.steps: 30")
                && run.err().contains("--steps"), run.err());
        assertFalse(Files.exists(dir.resolve("run-refused.yaml/model")), "nothing trained");
    }

    @Test
    void epochsAndStepsTogetherEndAtWhicheverComesFirst() throws Exception {
        Path r = recipe("both", "steps: 30");
        CliTest.Run run = train(r, "--epochs", "1", "--steps", "100");
        assertEquals(0, run.code(), run.err());
        assertEquals(12, stepsRun(r), "one epoch of 12 steps ends before 100 steps");
    }

    @Test
    void nonPositiveStepsAreRefused() throws Exception {
        CliTest.Run run = train(recipe("zero", "epochs: 1"), "--steps", "0");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("--steps must be at least 1, got 0"), run.err());
    }
}
