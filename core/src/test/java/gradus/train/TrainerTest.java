package gradus.train;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.io.ModelDirectory;
import gradus.metrics.Metric;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.optim.SGD;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.callbacks.BestModelCheckpoint;
import gradus.train.callbacks.EarlyStopping;
import gradus.train.callbacks.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    /** Two classes split by the sign of x0 + x1: learnable to near-perfect accuracy. */
    private static TensorDataset separable(int n, long seed) {
        Tensor x = Tensor.normal(new Rng(seed), 0f, 1f, n, 2);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = x.get(i, 0) + x.get(i, 1) > 0 ? 1 : 0;
        return new TensorDataset(x, IntTensor.of(y));
    }

    private static Sequential mlp() {
        return new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2));
    }

    @Test
    void fitLearnsAndReportsValidation() {
        Rng.manualSeed(1);
        var model = mlp();
        var trainer = Trainer.of(model).optimizer(new Adam(model.parameters(), 0.01)).loss(Loss.crossEntropy()).metrics(Metric.accuracy());
        History h = trainer.fit(DataLoader.of(separable(512, 1)).batchSize(32).shuffle(1), DataLoader.of(separable(256, 2)).batchSize(64), 8);
        assertEquals(8, h.epochs().size());
        assertTrue(h.series("loss").get(7) < h.series("loss").get(0) / 3, h.series("loss").toString());
        assertTrue(h.last().get("val_accuracy") > 0.95, h.last().toString());
        assertTrue(h.last().containsKey("samples_per_s") && h.last().containsKey("lr"));
        assertEquals(h.last().get("val_accuracy"), trainer.evaluate(DataLoader.of(separable(256, 2)).batchSize(7)).get("accuracy"), 1e-12);
    }

    @Test
    void sameSeedSameNumbers() {
        long[] seeds = {5, 5, 6};
        double[] finals = new double[seeds.length];
        for (int run = 0; run < seeds.length; run++) {
            Rng.manualSeed(seeds[run]);
            var model = mlp();
            var t = Trainer.of(model).optimizer(new Adam(model.parameters(), 0.01)).loss(Loss.crossEntropy());
            History h = t.fit(DataLoader.of(separable(256, 3)).batchSize(32).shuffle(9).prefetch(2), null, 3);
            finals[run] = h.last().get("loss");
            assertTrue(finals[run] < h.series("loss").get(0), "the run learns: " + h.series("loss"));
        }
        assertEquals(finals[0], finals[1], 0.0, "two runs from seed 5, the same loss to the last bit");
        assertNotEquals(finals[0], finals[2], "seed 6 starts from other weights");
    }

    @Test
    void earlyStoppingStopsWhenValidationStalls() {
        Rng.manualSeed(2);
        var model = mlp();
        // lr 0 → nothing changes → no improvement after the first epoch
        var t = Trainer.of(model).optimizer(new SGD(model.parameters(), 0.0)).loss(Loss.crossEntropy())
                .callbacks(new EarlyStopping("val_loss", 2, 0));
        History h = t.fit(DataLoader.of(separable(64, 1)).batchSize(32), DataLoader.of(separable(64, 2)).batchSize(32), 20);
        assertTrue(h.stoppedEarly());
        assertEquals(3, h.epochs().size());
    }

    @Test
    void checkpointAndJsonlLog(@TempDir Path dir) throws Exception {
        Rng.manualSeed(3);
        var model = mlp();
        var checkpoint = new BestModelCheckpoint(dir.resolve("best"), "val_accuracy", Map.of("task", "classification"));
        var t = Trainer.of(model).optimizer(new Adam(model.parameters(), 0.01)).loss(Loss.crossEntropy()).metrics(Metric.accuracy())
                .callbacks(checkpoint, new MetricsLog(dir.resolve("metrics.jsonl")));
        t.fit(DataLoader.of(separable(256, 1)).batchSize(32), DataLoader.of(separable(128, 2)).batchSize(64), 4);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(4, lines.size());
        assertTrue(lines.get(0).startsWith("{\"epoch\":1,\"loss\":"), lines.get(0));
        var loaded = ModelDirectory.load(dir.resolve("best"));
        var eval = Trainer.of(loaded.model()).loss(Loss.crossEntropy()).metrics(Metric.accuracy())
                .evaluate(DataLoader.of(separable(128, 2)).batchSize(64));
        assertEquals(checkpoint.best(), eval.get("accuracy"), 1e-12);
        assertTrue(ModelDirectory.loadTrainingState(dir.resolve("best")).isPresent());
    }

    @Test
    void nanLossNamesStepAndCulprit() {
        Rng.manualSeed(4);
        var model = mlp();
        Tensor x = Tensor.normal(new Rng(1), 0f, 1f, 8, 2);
        x.set(Float.NaN, 3, 1);
        var data = new TensorDataset(x, IntTensor.of(new int[8]));
        var t = Trainer.of(model).optimizer(new Adam(model.parameters(), 0.01)).loss(Loss.crossEntropy());
        var e = assertThrows(NonFiniteLossException.class, () -> t.fit(DataLoader.of(data).batchSize(8), null, 1));
        assertTrue(e.getMessage().contains("epoch 1, step 0") && e.getMessage().contains("input batch"), e.getMessage());

        // A diverging learning rate: the culprit is a parameter that became non-finite.
        Rng.manualSeed(4);
        var m2 = new Sequential(new Linear(2, 1));
        Tensor big = Tensor.full(1e30f, 4, 2);
        var reg = new TensorDataset(big, Tensor.ones(4, 1));
        var t2 = Trainer.of(m2).optimizer(new SGD(m2.parameters(), 1e10)).loss(Loss.mse());
        var e2 = assertThrows(NonFiniteLossException.class, () -> t2.fit(DataLoader.of(reg).batchSize(4), null, 3));
        assertTrue(e2.getMessage().matches("loss became (NaN|Infinity) at epoch 1, step \\d: .*"), e2.getMessage());
    }

    @Test
    void missingOptimizerOrLossIsAClearError() {
        var t = Trainer.of(mlp());
        var e = assertThrows(IllegalStateException.class, () -> t.trainStep(separable(4, 1).get(new int[]{0, 1})));
        assertTrue(e.getMessage().contains("optimizer not set"));
    }
}
