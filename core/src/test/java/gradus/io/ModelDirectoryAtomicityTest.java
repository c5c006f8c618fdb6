package gradus.io;

import gradus.files.AtomicFiles;
import gradus.files.FileFormatException;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** A save is atomic as a set (issue 13, item 11), and kills leave no temporary files for good (item 12). */
class ModelDirectoryAtomicityTest {
    private static final List<String> SET = List.of("model.safetensors", "config.json", "optimizer.safetensors", "training_state.json");

    @TempDir
    Path root;

    @AfterEach
    void restoreSeams() {
        FileSet.crashPoint = point -> {};
        AtomicFiles.streamFilter = (target, out) -> out;
    }

    /** A stand-in for the JVM dying where the seam is called: nothing after it runs, no clean-up either. */
    private static final class Killed extends Error {
        Killed(String point) {
            super("killed at " + point);
        }
    }

    private static Module model(long seed) {
        Rng.manualSeed(seed);
        return new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 3));
    }

    /** The checkpoint of "epoch" {@code epoch}: weights, optimizer slots and trainer state all derived from it. */
    private static void saveEpoch(Path dir, int epoch) throws IOException {
        Map<String, Tensor> slots = new LinkedHashMap<>();
        slots.put("0.weight.exp_avg", Tensor.normal(new Rng(epoch), 0f, 1f, 16, 4));
        ModelDirectory.save(dir, model(epoch), Map.of("task", "classification"),
                new ModelDirectory.TrainingState(slots, Map.of("epoch", epoch, "global_step", 10 * epoch)));
    }

    /** The epoch whose complete checkpoint {@code dir} holds; fails if its files come from different epochs. */
    private static int epochIn(Path dir) throws IOException {
        var loaded = ModelDirectory.load(dir);
        var state = ModelDirectory.loadTrainingState(dir).orElseThrow();
        int epoch = ((Number) state.trainer().get("epoch")).intValue();
        assertArrayEquals(model(epoch).stateDict().get("0.weight").toArray(), loaded.model().stateDict().get("0.weight").toArray(),
                "weights of another epoch than training_state.json's " + epoch);
        assertArrayEquals(Tensor.normal(new Rng(epoch), 0f, 1f, 16, 4).toArray(), state.optimizer().get("0.weight.exp_avg").toArray(),
                "optimizer state of another epoch than training_state.json's " + epoch);
        return epoch;
    }

    private static List<String> temporaries(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).sorted().toList();
        }
    }

    @Test
    void aSaveInterruptedAnywhereLeavesThePreviousOrTheNextCompleteSet() throws IOException {
        List<String> points = new java.util.ArrayList<>();
        for (String f : SET) points.add(f + ".tmp");
        points.add("manifest.json");
        points.addAll(SET);
        for (String point : points) {
            Path dir = root.resolve("at-" + point);
            saveEpoch(dir, 1);
            FileSet.crashPoint = p -> {
                if (p.equals(point)) throw new Killed(p);
            };
            assertThrows(Killed.class, () -> saveEpoch(dir, 2), point);
            FileSet.crashPoint = p -> {};
            int expected = point.endsWith(".tmp") ? 1 : 2; // the manifest's rename is the commit
            assertEquals(expected, epochIn(dir), "interrupted at " + point);

            // The next save finishes or discards what the killed one left (its files are older than this process).
            for (String t : temporaries(dir)) Files.setLastModifiedTime(dir.resolve(t), FileTime.fromMillis(0));
            saveEpoch(dir, 3);
            assertEquals(3, epochIn(dir), point);
            assertEquals(List.of(), temporaries(dir), point);
        }
    }

    @Test
    void filesMixedFromTwoSavesAreRefusedNamingThem() throws IOException {
        Path dir = root.resolve("m"), next = root.resolve("next");
        saveEpoch(dir, 1);
        saveEpoch(next, 2);
        // What the old save left after a kill between renames: weights of epoch 2, the rest of epoch 1.
        Files.copy(next.resolve("model.safetensors"), dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        var e = assertThrows(FileFormatException.class, () -> ModelDirectory.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors has other content") && e.getMessage().contains(dir.resolve("manifest.json").toString())
                && !e.getMessage().contains("config.json has"), e.getMessage());
        var s = assertThrows(FileFormatException.class, () -> ModelDirectory.loadTrainingState(dir));
        assertTrue(s.getMessage().contains("model.safetensors"), s.getMessage());

        Files.writeString(dir.resolve("training_state.json"), "{}");
        var both = assertThrows(FileFormatException.class, () -> ModelDirectory.loadTrainingState(dir));
        assertTrue(both.getMessage().contains("model.safetensors has other content") && both.getMessage().contains("training_state.json is 2 bytes"),
                both.getMessage());
        Files.delete(dir.resolve("optimizer.safetensors"));
        assertTrue(assertThrows(FileFormatException.class, () -> ModelDirectory.loadTrainingState(dir)).getMessage()
                .contains("optimizer.safetensors is missing"));
    }

    @Test
    void aDirectoryWithoutManifestStillLoads() throws IOException {
        Path dir = root.resolve("legacy");
        saveEpoch(dir, 4);
        Files.delete(dir.resolve("manifest.json"));
        assertEquals(4, epochIn(dir));
        assertTrue(ModelDirectory.describe(dir).contains("Trainable parameters"));
    }

    @Test
    void aFullDiskLeavesThePreviousSetAndNamesTheFile() throws IOException {
        Path dir = root.resolve("full");
        saveEpoch(dir, 1);
        for (String failing : SET) {
            AtomicFiles.streamFilter = failAfter(failing, 20); // partway through each file
            var e = assertThrows(IOException.class, () -> saveEpoch(dir, 2), failing);
            AtomicFiles.streamFilter = (target, out) -> out;
            assertTrue(e.getMessage().contains(dir.toAbsolutePath().resolve(failing).toString()) && e.getMessage().contains("No space left on device"),
                    e.getMessage());
            assertEquals(1, epochIn(dir), failing);
            assertEquals(List.of(), temporaries(dir), failing);
        }
        AtomicFiles.streamFilter = failAfter("manifest.json", 10);
        assertThrows(IOException.class, () -> saveEpoch(dir, 2));
        AtomicFiles.streamFilter = (target, out) -> out;
        assertEquals(1, epochIn(dir));
        assertEquals(List.of(), temporaries(dir));
    }

    /** A stream to {@code name} that fails like a full disk once {@code bytes} have been written. */
    private static BiFunction<Path, OutputStream, OutputStream> failAfter(String name, int bytes) {
        return (target, out) -> !target.getFileName().toString().equals(name) ? out : new FilterOutputStream(out) {
            int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > bytes) throw new IOException("No space left on device");
                out.write(b);
            }
        };
    }

    @Test
    void aModelSavedWithoutTrainingStateDropsTheOldOne() throws IOException {
        Path dir = root.resolve("export");
        saveEpoch(dir, 1);
        ModelDirectory.save(dir, model(5), Map.of());
        assertTrue(ModelDirectory.loadTrainingState(dir).isEmpty());
        assertFalse(Files.exists(dir.resolve("optimizer.safetensors")));
        assertFalse(Files.exists(dir.resolve("training_state.json")));
    }

    @Test
    void staleTemporariesAreRemovedOnlyWhenTheirWriterIsGone() throws Exception {
        Path dir = root.resolve("stale");
        saveEpoch(dir, 1);
        Process done = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).start();
        done.getInputStream().readAllBytes();
        done.waitFor();
        ProcessHandle running = ProcessHandle.current().parent().orElseThrow(); // the build tool that started this JVM
        // a killed writer's file, just written (a restart can come within a second of the kill)
        Path killed = Files.write(dir.resolve(".model.safetensors." + Long.toHexString(done.pid()) + "p5f3a9c0e12d4b6a7.tmp"), new byte[1000]);
        Path live = Files.write(dir.resolve(".config.json." + Long.toHexString(running.pid()) + "p0123456789abcdef.tmp"), new byte[10]);
        Path ours = Files.write(dir.resolve(".config.json." + Long.toHexString(ProcessHandle.current().pid()) + "p77.tmp"), new byte[10]);
        Path olderNaming = Files.write(dir.resolve(".model.safetensors.5f3a9c0e12d4b6a7.tmp"), new byte[1000]);
        Files.setLastModifiedTime(olderNaming, FileTime.fromMillis(0));
        Path olderNamingFresh = Files.write(dir.resolve(".config.json.0123456789abcdef.tmp"), new byte[10]);
        Path foreign = Files.write(dir.resolve("notes.tmp"), new byte[1]);
        Files.setLastModifiedTime(foreign, FileTime.fromMillis(0));
        saveEpoch(dir, 2);
        assertFalse(Files.exists(killed), "its writer is gone");
        assertTrue(Files.exists(live), "its writer still runs");
        assertFalse(Files.exists(ours), "this process no longer writes it");
        assertFalse(Files.exists(olderNaming), "older than this process");
        assertTrue(Files.exists(olderNamingFresh), "maybe in use");
        assertTrue(Files.exists(foreign), "not our naming pattern");
        assertEquals(2, epochIn(dir));
    }
}
