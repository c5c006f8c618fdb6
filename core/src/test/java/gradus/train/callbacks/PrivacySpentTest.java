package gradus.train.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.optim.SGD;
import gradus.privacy.DpSgd;
import gradus.privacy.PrivacyAccountant;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ε spent, live in the progress bar and per epoch in metrics.jsonl, is the accountant's for the steps done. */
class PrivacySpentTest {
    private static final double SIGMA = 1.1, DELTA = 1e-5;
    private static final int EXAMPLES = 40, BATCH = 4, EPOCHS = 3, STEPS_PER_EPOCH = EXAMPLES / BATCH;
    private static final Pattern SHOWN = Pattern.compile("epoch (\\d+)[^\\r\\n]*?ε ([0-9.]+)( \\(step (\\d+)\\))?");

    @TempDir
    Path dir;

    /** The ε an accountant of its own gives for {@code steps} steps of the run's σ and q. */
    private static double reference(long steps) {
        PrivacyAccountant a = PrivacyAccountant.create("prv");
        for (long i = 0; i < steps; i++) a.step(SIGMA, (double) BATCH / EXAMPLES);
        return a.epsilon(DELTA);
    }

    @Test
    void barAndMetricsLogShowTheAccountantsEpsilonForTheStepsDone() throws Exception {
        Rng.manualSeed(5);
        Tensor x = Tensor.normal(new Rng(2), 0f, 1f, EXAMPLES, 3);
        int[] y = new int[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) y[i] = x.get(i, 0) > 0 ? 1 : 0;
        var model = new Sequential(new Linear(3, 2));
        DpSgd dp = DpSgd.builder(model).noiseMultiplier(SIGMA).maxGradNorm(1).sampling(BATCH, EXAMPLES).delta(DELTA).build();
        var captured = new ByteArrayOutputStream();
        Path metrics = dir.resolve("metrics.jsonl");
        Trainer.of(model).optimizer(new SGD(model.parameters(), 0.1)).loss(Loss.crossEntropy()).privacy(dp)
                .callbacks(new ProgressBar(new PrintStream(captured, true, StandardCharsets.UTF_8), true), new MetricsLog(metrics))
                .fit(DataLoader.of(new TensorDataset(x, IntTensor.of(y))).batchSize(BATCH).poissonSampling(9), null, EPOCHS);
        assertEquals(EPOCHS * STEPS_PER_EPOCH, dp.steps());

        // The bar's last frame of each epoch shows ε after that epoch's last step, not an earlier one.
        String bar = captured.toString(StandardCharsets.UTF_8);
        String[] lastShown = new String[EPOCHS];
        Matcher m = SHOWN.matcher(bar);
        int frames = 0;
        while (m.find()) {
            frames++;
            int epoch = Integer.parseInt(m.group(1));
            lastShown[epoch - 1] = m.group(3) == null ? m.group(2) : null;
        }
        assertTrue(frames >= EPOCHS, "no ε in the progress bar: " + bar);
        double previous = 0;
        for (int e = 1; e <= EPOCHS; e++) {
            assertTrue(lastShown[e - 1] != null, "epoch " + e + " ended showing a stale or no ε: " + bar);
            double shown = Double.parseDouble(lastShown[e - 1]);
            assertEquals(reference((long) e * STEPS_PER_EPOCH), shown, 5e-5, "epoch " + e);
            assertTrue(shown > previous, "ε grows: epoch " + e + " shows " + shown + " after " + previous);
            previous = shown;
        }

        List<Double> logged = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            Map<?, ?> record = new ObjectMapper().readValue(line, Map.class);
            assertFalse(MetricsLog.isStepRecord(record), line);
            logged.add(((Number) record.get("epsilon")).doubleValue());
        }
        assertEquals(EPOCHS, logged.size());
        for (int e = 1; e <= EPOCHS; e++) assertEquals(reference((long) e * STEPS_PER_EPOCH), logged.get(e - 1), 1e-12, "metrics.jsonl, epoch " + e);
    }

    @Test
    void aStaleEpsilonNamesItsStepAndTheAccountantIsAskedWithinItsTimeBudget() {
        assertEquals("  ε 1.2346", ProgressBar.epsilonText(1.23456, 30, 30));
        assertEquals("  ε 1.2346 (step 28)", ProgressBar.epsilonText(1.23456, 28, 30));
        assertEquals("  ε ∞", ProgressBar.epsilonText(Double.POSITIVE_INFINITY, 3, 3));
        assertTrue(ProgressBar.refreshEpsilon(3, 10, 0.5, 10), "5% of the run so far");
        assertFalse(ProgressBar.refreshEpsilon(3, 10, 2, 10), "20% of the run so far");
        assertTrue(ProgressBar.refreshEpsilon(9, 10, 2, 10), "an epoch's last step always asks");
    }
}
