package gradus.train;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.io.ModelDirectory;
import gradus.metrics.Metric;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.callbacks.BestModelCheckpoint;
import gradus.train.callbacks.Checkpoint;
import gradus.train.callbacks.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Checkpoint callbacks across a resume (issue 13, items 11-12). */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    private static DataLoader separable(int n, long seed) {
        Tensor x = Tensor.normal(new Rng(seed), 0f, 1f, n, 2);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = x.get(i, 0) + x.get(i, 1) > 0 ? 1 : 0;
        return DataLoader.of(new TensorDataset(x, IntTensor.of(y))).batchSize(32);
    }

    private static Trainer trainer() {
        Rng.manualSeed(5);
        var model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 2));
        return Trainer.of(model).optimizer(new Adam(model.parameters(), 0.01)).loss(Loss.crossEntropy()).metrics(Metric.accuracy());
    }

    @Test
    void aResumedRunKeepsTheBestOfItsFirstPart() throws Exception {
        Path best = dir.resolve("best");
        Trainer first = trainer();
        first.callbacks(new BestModelCheckpoint(best, "val_loss", Map.of()));
        first.fit(separable(128, 1), separable(64, 2), 2);
        // The first part's best is unbeatable here, so the resumed part must not replace it.
        byte[] weights = Files.readAllBytes(best.resolve("model.safetensors"));
        ModelDirectory.save(best, ModelDirectory.load(best).model(), Map.of("best", Map.of("epoch", 2, "monitor", "val_loss", "value", 1e-9)),
                ModelDirectory.loadTrainingState(best).orElseThrow());

        Trainer resumed = trainer();
        var checkpoint = new BestModelCheckpoint(best, "val_loss", Map.of());
        resumed.startAt(2, first.globalStep()).callbacks(checkpoint);
        resumed.fit(separable(128, 1), separable(64, 2), 2);
        assertEquals(1e-9, checkpoint.best());
        assertEquals(1, checkpoint.bestEpoch());
        assertArrayEquals(weights, Files.readAllBytes(best.resolve("model.safetensors")));
        assertEquals(2, ((Map<?, ?>) ModelDirectory.readConfig(best).get("best")).get("epoch"));
    }

    @Test
    void aBestSaveKilledAfterItsEpochsCheckpointIsRedoneOnResume() throws Exception {
        Path uninterrupted = dir.resolve("uninterrupted"), run = dir.resolve("run");
        Trainer full = trainer();
        var fullBest = new BestModelCheckpoint(uninterrupted.resolve("best"), "loss", Map.of());
        full.callbacks(new Checkpoint(uninterrupted.resolve("model"), 1, Map.of(), null), fullBest);
        full.fit(separable(128, 1), null, 2);
        assertEquals(1, fullBest.bestEpoch(), "precondition: epoch 2 is the best");

        // The state a kill leaves between epoch 2's two saves: model/ of epoch 2, best/ of epoch 1.
        Trainer killed = trainer();
        killed.callbacks(new Checkpoint(run.resolve("model"), 1, Map.of(), null), new BestModelCheckpoint(run.resolve("best"), "loss", Map.of()));
        killed.fit(separable(128, 1), null, 1);
        Path bestOfEpoch1 = dir.resolve("best-1");
        Files.createDirectories(bestOfEpoch1);
        try (var files = Files.list(run.resolve("best"))) {
            for (Path f : files.toList()) Files.copy(f, bestOfEpoch1.resolve(f.getFileName()));
        }
        killed.fit(separable(128, 1), null, 1);
        try (var files = Files.list(run.resolve("best"))) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(run.resolve("best"));
        Files.move(bestOfEpoch1, run.resolve("best"));
        assertEquals(1, ((Map<?, ?>) ModelDirectory.readConfig(run.resolve("best")).get("best")).get("epoch"));

        Trainer resumed = trainer();
        resumed.model().loadStateDict(ModelDirectory.load(run.resolve("model")).model().stateDict());
        var state = ModelDirectory.loadTrainingState(run.resolve("model")).orElseThrow();
        resumed.optimizer().loadStateDict(state.optimizer());
        Map<String, Double> logs = new java.util.LinkedHashMap<>();
        ((Map<?, ?>) state.trainer().get("logs")).forEach((k, v) -> logs.put((String) k, ((Number) v).doubleValue()));
        resumed.startAt(2, ((Number) state.trainer().get("global_step")).intValue(), logs)
                .callbacks(new BestModelCheckpoint(run.resolve("best"), "loss", Map.of()));
        resumed.fit(separable(128, 1), null, 0);
        for (String f : List.of("model.safetensors", "optimizer.safetensors", "config.json", "training_state.json")) {
            assertEquals(Files.readString(uninterrupted.resolve("best").resolve(f), java.nio.charset.StandardCharsets.ISO_8859_1),
                    Files.readString(run.resolve("best").resolve(f), java.nio.charset.StandardCharsets.ISO_8859_1), f);
        }
    }

    @Test
    void periodicCheckpointsAreResumableAndCountAllEpochs() throws Exception {
        Path model = dir.resolve("model");
        Trainer t = trainer();
        t.callbacks(new Checkpoint(model, 2, Map.of("task", "classification"), null), new MetricsLog(dir.resolve("metrics.jsonl")));
        t.fit(separable(128, 1), null, 3);
        var state = ModelDirectory.loadTrainingState(model).orElseThrow();
        assertEquals(2, state.trainer().get("epoch"), "saved after epoch 2 only (every 2)");
        assertEquals(8, state.trainer().get("global_step"));

        MetricsLog.keepEpochs(dir.resolve("metrics.jsonl"), 2);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).startsWith("{\"epoch\":2,"), lines.get(1));
    }
}
