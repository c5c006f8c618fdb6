package gradus.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.cli.Main;
import gradus.io.ModelDirectory;
import gradus.nn.Module;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gradus train RECIPE --spark local[2]} through the real CLI: the run's model, metrics.jsonl and log lines are
 * those of the same recipe trained in one process (the CLI starts and stops its own Spark, so the tests' shared one
 * is stopped first).
 */
class SparkRecipeTest {
    // 2,000 sample images, global batch 64: 32 steps per epoch, the last one of 16 (8 per worker).
    private static final String RECIPE = """
            name: fashion-spark
            seed: 5
            data: {train: "fashion-mnist-sample:train", validation: "fashion-mnist-sample:test"}
            model:
              type: Sequential
              layers:
                - {type: Flatten}
                - {type: Linear, in: 784, out: 32}
                - {type: ReLU}
                - {type: Linear, in: 32, out: 10}
            loss: cross_entropy
            optimizer: {type: adam, lr: 0.003}
            training: {epochs: 2, batch_size: 64, metrics: [accuracy]}
            """;

    @TempDir
    static Path dir;
    static Path recipe;

    record Run(int code, String out, String err) {}

    static synchronized Run cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void writeRecipe() throws Exception {
        TestSpark.stop(); // one SparkContext per JVM: the CLI starts its own
        System.setProperty("gradus.home", Path.of("..").toAbsolutePath().normalize().toString()); // finds data/fashion-mnist-sample
        recipe = Files.writeString(dir.resolve("fashion-spark.yaml"), RECIPE);
    }

    private static List<Map<String, Object>> epochLines(Path run) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            @SuppressWarnings("unchecked") Map<String, Object> m = new ObjectMapper().readValue(line, Map.class);
            if (m.containsKey("val_loss")) out.add(m);
        }
        return out;
    }

    private static double relativeDifference(Module a, Module b) {
        double diff = 0, scale = 0;
        var sa = a.stateDict();
        for (var e : b.stateDict().entrySet()) {
            float[] x = sa.get(e.getKey()).toArray(), y = e.getValue().toArray();
            for (int i = 0; i < y.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(y[i]));
            }
        }
        return diff / scale;
    }

    @Test
    void trainOnSparkGivesTheOneProcessRun() throws Exception {
        Path local = dir.resolve("local"), spark = dir.resolve("spark");
        Run one = cli("train", recipe.toString(), "--out", local.toString(), "--no-progress");
        assertEquals(0, one.code(), one.err());
        Run two = cli("train", recipe.toString(), "--out", spark.toString(), "--no-progress", "--spark", "local[2]");
        assertEquals(0, two.code(), two.err() + two.out());

        assertTrue(two.out().contains("2,000 train / 500 validation examples, 2 epochs, data-parallel on 2 workers"), two.out());
        assertTrue(two.out().contains("saved model to " + spark.resolve("model")), two.out());
        assertEquals(one.out().lines().filter(l -> l.startsWith("epoch")).count(), two.out().lines().filter(l -> l.startsWith("epoch")).count(),
                "one line per epoch, relayed from rank 0:\n" + two.out());

        Module a = ModelDirectory.load(local.resolve("model")).model(), b = ModelDirectory.load(spark.resolve("model")).model();
        double diff = relativeDifference(b, a);
        assertTrue(diff < 1e-5, "weights after 64 Adam steps on 2 workers vs one process: max relative difference " + diff);
        assertTrue(Files.exists(spark.resolve("model/training_state.json")), "the optimizer state is saved as in a local run");

        List<Map<String, Object>> e1 = epochLines(local), e2 = epochLines(spark);
        assertEquals(2, e1.size());
        assertEquals(2, e2.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(e1.get(i).keySet(), e2.get(i).keySet());
            for (String k : new String[]{"loss", "val_loss", "val_accuracy"}) {
                double x = ((Number) e1.get(i).get(k)).doubleValue(), y = ((Number) e2.get(i).get(k)).doubleValue();
                assertEquals(x, y, 1e-4, k + " of epoch " + (i + 1));
            }
        }
        assertTrue(((Number) e2.get(1).get("val_accuracy")).doubleValue() > 0.6, "it learns: " + e2.get(1));
    }

    @Test
    void clearErrorsForAMasterSparkCannotUse() {
        Run unreachable = cli("train", recipe.toString(), "--out", dir.resolve("x").toString(), "--spark", "spark://127.0.0.1:9");
        assertEquals(1, unreachable.code());
        assertTrue(unreachable.err().contains("cannot reach the Spark master spark://127.0.0.1:9 (127.0.0.1:9: Connection refused)"), unreachable.err());

        Run bogus = cli("train", recipe.toString(), "--out", dir.resolve("x").toString(), "--spark", "nonsense[2]");
        assertEquals(1, bogus.code());
        assertTrue(bogus.err().contains("Spark did not start on master 'nonsense[2]': Could not parse Master URL"), bogus.err());

        Run slots = cli("train", recipe.toString(), "--out", dir.resolve("x").toString(), "--spark", "local[2]", "--workers", "3");
        assertEquals(1, slots.code());
        assertTrue(slots.err().contains("3 workers need 3 task slots at once; master local[2] has 2"), slots.err());
    }
}
