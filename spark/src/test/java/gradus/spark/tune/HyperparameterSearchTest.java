package gradus.spark.tune;

import gradus.spark.TestSpark;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trials of the Boston recipe as Spark tasks: the learning rate decides, and the search must find it. */
class HyperparameterSearchTest {
    /** examples/boston-regression.yaml, smaller and shorter. */
    private static Map<String, Object> recipe(int epochs) {
        return Map.of(
                "name", "boston-search", "seed", 3, "task", "regression",
                "data", Map.of("train", "boston:train", "validation", "boston:test"),
                "model", Map.of("type", "Sequential", "layers", List.of(
                        Map.of("type", "Linear", "in", 13, "out", 32), Map.of("type", "ReLU"),
                        Map.of("type", "Linear", "in", 32, "out", 1))),
                "loss", "mse",
                "optimizer", Map.of("type", "adam", "lr", 0.003),
                "training", Map.of("epochs", epochs, "batch_size", 32, "metrics", List.of("mse")));
    }

    @Test
    void gridFindsTheLearningRateThatTrains(@TempDir Path tmp) {
        var space = new SearchSpace().choice("optimizer.lr", 0.0001, 0.01).choice("training.batch_size", 16, 64);
        var results = HyperparameterSearch.of(recipe(15), space).metric("val_loss", false).outDir(tmp).grid(TestSpark.session());
        List<Row> rows = results.table().collectAsList(); // in trial order
        assertEquals(4, rows.size(), "2 × 2 grid");
        assertEquals("1.0E-4", rows.get(0).getString(1));
        assertEquals("64", rows.get(1).getString(2));
        double bestLoss = rows.stream().mapToDouble(r -> r.getDouble(3)).min().orElseThrow();
        assertEquals(bestLoss, results.best().metric(), "the best trial has the lowest validation loss");
        assertEquals(0.01, results.best().params().get("optimizer.lr"), "15 epochs at lr 1e-4 barely move an MSE in the hundreds");
        assertTrue(results.best().metric() < 40, "validation MSE of the best trial: " + results.best().metric());
        assertTrue(Files.isDirectory(Path.of(results.best().outDir(), "model")), "every trial writes its model directory");
        assertEquals(60, results.totalEpochs());
    }

    @Test
    void randomSearchDrawsTheSameTrialsFromTheSameSeed() {
        var space = new SearchSpace().logUniform("optimizer.lr", 1e-4, 3e-2).integer("training.batch_size", 16, 64).choice("seed", 1, 2);
        List<Map<String, Object>> a = space.sample(5, 7), b = space.sample(5, 7);
        assertEquals(a, b);
        assertNotEquals(a, space.sample(5, 8));
        for (var point : a) {
            double lr = (Double) point.get("optimizer.lr");
            int batch = (Integer) point.get("training.batch_size");
            assertTrue(lr >= 1e-4 && lr <= 3e-2 && batch >= 16 && batch <= 64, point.toString());
        }
        assertThrows(IllegalArgumentException.class, space::grid, "a range has no grid");
        var e = assertThrows(IllegalArgumentException.class, () -> HyperparameterSearch.set(new java.util.HashMap<>(recipe(1)), "optimiser.lr", 0.1));
        assertTrue(e.getMessage().contains("no 'optimiser'"), e.getMessage());
    }

    /** A small Fashion-MNIST MLP (the repository's 2,000 / 500 image sample), by validation accuracy. */
    private static Map<String, Object> fashion() {
        return Map.of(
                "name", "fashion-search", "seed", 4,
                "data", Map.of("train", "fashion-mnist-sample:train", "validation", "fashion-mnist-sample:test"),
                "model", Map.of("type", "Sequential", "layers", List.of(Map.of("type", "Flatten"),
                        Map.of("type", "Linear", "in", 784, "out", 32), Map.of("type", "ReLU"),
                        Map.of("type", "Linear", "in", 32, "out", 10))),
                "loss", "cross_entropy",
                "optimizer", Map.of("type", "adam", "lr", 0.001),
                "training", Map.of("epochs", 9, "batch_size", 64, "metrics", List.of("accuracy")));
    }

    @Test
    void ashaReachesTheGridsAccuracyWithAThirdOfItsEpochs(@TempDir Path tmp) {
        System.setProperty("gradus.home", Path.of("..").toAbsolutePath().normalize().toString()); // data/fashion-mnist-sample
        var space = new SearchSpace().choice("optimizer.lr", 0.0001, 0.001, 0.03).choice("training.batch_size", 16, 64, 256);
        var grid = HyperparameterSearch.of(fashion(), space).metric("val_accuracy", true).outDir(tmp.resolve("grid"))
                .grid(TestSpark.session());
        // one trial at a time: the schedule (and so the epochs spent) does not depend on which trial finishes first
        var asha = HyperparameterSearch.of(fashion(), space).metric("val_accuracy", true).outDir(tmp.resolve("asha")).parallel(1)
                .asha(TestSpark.session(), 9, 3, 1, 3, 9);
        System.out.printf("grid: best %s val_accuracy %.4f in %d epochs; ASHA: best %s val_accuracy %.4f in %d epochs%n",
                grid.best().params(), grid.best().metric(), grid.totalEpochs(), asha.best().params(), asha.best().metric(), asha.totalEpochs());
        assertEquals(81, grid.totalEpochs());
        assertEquals(9, asha.trials().size(), "every point of the 3 × 3 grid, each once");
        assertEquals(9, asha.best().epochs(), "the best trial went up every rung: 1, 3, 9 epochs");
        assertTrue(asha.totalEpochs() <= 81 / 3, "ASHA spent " + asha.totalEpochs() + " epochs");
        assertTrue(asha.best().metric() > 0.78, "ASHA's best validation accuracy " + asha.best().metric());
        assertTrue(asha.best().metric() >= grid.best().metric() - 0.02,
                "ASHA " + asha.best().metric() + " against the grid's best " + grid.best().metric());
    }

    @Test
    void successiveHalvingKeepsTheBetterHalfAndSpendsFewerEpochs(@TempDir Path tmp) {
        var space = new SearchSpace().choice("optimizer.lr", 0.0001, 0.0003, 0.01, 0.03);
        var search = HyperparameterSearch.of(recipe(20), space).metric("val_loss", false).outDir(tmp);
        var results = search.successiveHalving(TestSpark.session(), 4, 11, 5, 2, 20);
        // rungs: 4 trials × 5 epochs, the best 2 resume to 10, the best one to 20: 5 + 5 + 10 + 20 epochs
        assertEquals(40, results.totalEpochs(), "half the 80 epochs of training all four for 20");
        assertEquals(20, results.best().epochs());
        assertEquals(4, results.table().count(), "one row per trial, the dropped ones with the epochs they got");
        assertTrue((Double) results.best().params().get("optimizer.lr") >= 0.01, "the best trial: " + results.best());
    }
}
