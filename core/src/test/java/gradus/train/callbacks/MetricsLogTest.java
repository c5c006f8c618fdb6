package gradus.train.callbacks;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.optim.SGD;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Callback;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** metrics.jsonl's step records: what the web UI draws per-step curves from (issue 14, item 15). */
class MetricsLogTest {
    @TempDir
    Path dir;

    /** Batch losses as the trainer reports them, to check the records' means against. */
    private final List<Double> batchLosses = new ArrayList<>();

    /** 96 examples in batches of 32: three steps per epoch. */
    private List<Map<String, Object>> train(MetricsLog log, int epochs) throws Exception {
        Rng.manualSeed(7);
        Tensor x = Tensor.normal(new Rng(1), 0f, 1f, 96, 2);
        int[] y = new int[96];
        for (int i = 0; i < y.length; i++) y[i] = x.get(i, 0) > 0 ? 1 : 0;
        var model = new Sequential(new Linear(2, 2));
        Callback recorder = new Callback() {
            @Override
            public void onBatchEnd(int epoch, int step, double loss, int batchSize) {
                batchLosses.add(loss);
            }
        };
        Trainer.of(model).optimizer(new SGD(model.parameters(), 0.1)).loss(Loss.crossEntropy()).callbacks(recorder, log)
                .fit(DataLoader.of(new TensorDataset(x, IntTensor.of(y))).batchSize(32), null, epochs);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) lines.add(new ObjectMapper().readValue(line, Map.class));
        return lines;
    }

    @Test
    void stepRecordsAverageTheLossAndEndEachEpochAtItsLastStep() throws Exception {
        // 2 epochs x 3 steps, about 3 records: every 2 steps, and the odd step left at each epoch's end
        List<Map<String, Object>> lines = train(new MetricsLog(dir.resolve("metrics.jsonl")).logSteps(3), 2);
        List<Object> kinds = lines.stream().map(l -> MetricsLog.isStepRecord(l) ? "step " + l.get("step") : "epoch " + l.get("epoch")).map(Object.class::cast).toList();
        assertEquals(List.of("step 2", "step 3", "epoch 1", "step 5", "step 6", "epoch 2"), kinds);
        assertEquals((batchLosses.get(0) + batchLosses.get(1)) / 2, ((Number) lines.get(0).get("loss")).doubleValue(), 1e-12);
        assertEquals(batchLosses.get(2), ((Number) lines.get(1).get("loss")).doubleValue(), 1e-12);
        assertEquals((batchLosses.get(3) + batchLosses.get(4)) / 2, ((Number) lines.get(3).get("loss")).doubleValue(), 1e-12);
        assertEquals(2, lines.get(3).get("epoch"), "a step record names the epoch in progress");
        assertEquals(0.1, ((Number) lines.get(0).get("lr")).doubleValue(), 1e-12);
        assertFalse(MetricsLog.isStepRecord(lines.get(2)));
    }

    @Test
    void withoutLogStepsOnlyEpochLinesAreWritten() throws Exception {
        List<Map<String, Object>> lines = train(new MetricsLog(dir.resolve("metrics.jsonl")), 2);
        assertEquals(2, lines.size());
        assertTrue(lines.stream().noneMatch(MetricsLog::isStepRecord));
    }

    @Test
    void negativeRecordCountsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MetricsLog(dir.resolve("m.jsonl")).logSteps(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
