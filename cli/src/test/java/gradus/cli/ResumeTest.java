package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code gradus train --resume} after a kill: same history, same final state, a mixed checkpoint refused (issue 13, items 11-12). */
class ResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECIPE = """
            name: moons-checkpointed
            seed: 3
            data:
              train: %s
              validation_split: 0.25
              scale: standard
            model:
              type: Sequential
              layers:
                - {type: Linear, in: 2, out: 8}
                - {type: Tanh}
                - {type: Linear, in: 8, out: 1}
            loss: bce_with_logits
            optimizer: {type: adam, lr: 0.02}
            training:
              epochs: 6
              batch_size: 32
              checkpoint: {every: 1}
            """;

    @TempDir
    Path dir;

    private Path recipe() throws Exception {
        Path moons = Path.of("../examples/data/moons.csv");
        if (!Files.exists(moons)) moons = Path.of("examples/data/moons.csv");
        return Files.writeString(dir.resolve("moons.yaml"), RECIPE.formatted(moons.toAbsolutePath()));
    }

    private CliTest.Run train(Path recipe, String... args) {
        List<String> all = new ArrayList<>(List.of("train", recipe.toString(), "--no-progress"));
        all.addAll(List.of(args));
        CliTest.Run r = CliTest.cli(all.toArray(new String[0]));
        return r;
    }

    /** The metrics lines without the wall-clock fields, which differ between any two runs. */
    private static List<Map<String, Object>> history(Path run) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(line, Map.class);
            m.keySet().removeAll(List.of("time", "seconds", "samples_per_s"));
            out.add(m);
        }
        return out;
    }

    private static Map<?, ?> trainingState(Path model) throws Exception {
        return JSON.readValue(model.resolve("training_state.json").toFile(), Map.class);
    }

    @Test
    void aRunResumedInItsOwnDirectoryHasTheUninterruptedHistoryAndState() throws Exception {
        Path recipe = recipe(), full = dir.resolve("full"), run = dir.resolve("run");
        assertEquals(0, train(recipe, "--out", full.toString()).code());
        CliTest.Run half = train(recipe, "--out", run.toString(), "--epochs", "3");
        assertEquals(0, half.code(), half.err());
        // What a kill -9 after epoch 4's metrics line (before its checkpoint) and one in the middle of a save leave behind.
        Files.writeString(run.resolve("metrics.jsonl"), Files.readString(run.resolve("metrics.jsonl"))
                + "{\"epoch\":4,\"loss\":0.5}\n{\"epoch\":5,\"lo", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        Path stale = Files.write(run.resolve("model/.model.safetensors.9e3f00c2a1b4d5e6.tmp"), new byte[4096]);
        Files.setLastModifiedTime(stale, FileTime.fromMillis(0));

        CliTest.Run resumed = train(recipe, "--out", run.toString(), "--resume", run.resolve("model").toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("after epoch 3"), resumed.out());
        assertEquals(history(full), history(run));
        assertEquals(6, trainingState(run.resolve("model")).get("epoch"), "the epochs of both parts");
        assertEquals(trainingState(full.resolve("model")), trainingState(run.resolve("model")));
        assertArrayEquals(Files.readAllBytes(full.resolve("model/model.safetensors")), Files.readAllBytes(run.resolve("model/model.safetensors")));
        assertArrayEquals(Files.readAllBytes(full.resolve("model/optimizer.safetensors")), Files.readAllBytes(run.resolve("model/optimizer.safetensors")));
        assertFalse(Files.exists(stale), "a killed save's temporary file is removed at the next save");
    }

    @Test
    void resumeRefusesACheckpointMixedFromTwoEpochsNamingTheFile() throws Exception {
        Path recipe = recipe(), run = dir.resolve("mixed"), later = dir.resolve("later");
        assertEquals(0, train(recipe, "--out", run.toString(), "--epochs", "2").code());
        assertEquals(0, train(recipe, "--out", later.toString(), "--epochs", "3").code());
        // weights of epoch 3 beside the optimizer state of epoch 2: what a kill between two renames used to leave
        Files.copy(later.resolve("model/model.safetensors"), run.resolve("model/model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        CliTest.Run r = train(recipe, "--out", run.toString(), "--resume", run.resolve("model").toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("model.safetensors") && r.err().contains("manifest.json"), r.err());
    }
}
