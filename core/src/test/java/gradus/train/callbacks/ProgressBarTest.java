package gradus.train.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.nn.Linear;
import gradus.optim.SGD;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Callback;
import gradus.train.Loss;
import gradus.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static TensorDataset data(int n) {
        Tensor x = Tensor.normal(new Rng(1), 0f, 1f, n, 2);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = x.get(i, 0) > 0 ? 1 : 0;
        return new TensorDataset(x, IntTensor.of(y));
    }

    private static Trainer trainer(Callback... callbacks) {
        Rng.manualSeed(3);
        var model = new Linear(2, 2);
        return Trainer.of(model).optimizer(new SGD(model.parameters(), 0.1)).loss(Loss.crossEntropy()).callbacks(callbacks);
    }

    @Test
    void everyCallbackSeesEachStepOnce() {
        // The step used to advance once per callback, so with three callbacks the bar's ETA went negative a third of the way in.
        List<Integer> first = new ArrayList<>(), second = new ArrayList<>();
        Callback a = new Callback() {
            @Override
            public void onBatchEnd(int epoch, int step, double loss, int batchSize) {
                first.add(step);
            }
        };
        Callback b = new Callback() {
            @Override
            public void onBatchEnd(int epoch, int step, double loss, int batchSize) {
                second.add(step);
            }
        };
        trainer(a, b, new ProgressBar(new PrintStream(new ByteArrayOutputStream()), true))
                .fit(DataLoader.of(data(40)).batchSize(4), null, 2);
        List<Integer> expected = new ArrayList<>();
        for (int epoch = 0; epoch < 2; epoch++) for (int step = 0; step < 10; step++) expected.add(step);
        assertEquals(expected, first);
        assertEquals(expected, second);
    }

    @Test
    void etaLeavesTheFirstStepOutAndNeverGoesNegative() {
        assertTrue(Double.isNaN(ProgressBar.eta(100, 1, 0)), "nothing to go on after the first step");
        // 10 steps took 2 s after the first one: 0.2 s a step, 89 steps left.
        assertEquals(17.8, ProgressBar.eta(100, 11, 2.0), 1e-9);
        assertEquals(0, ProgressBar.eta(100, 100, 20.0));
        assertEquals(0, ProgressBar.eta(100, 101, 20.0));
    }

    @Test
    void standardErrorOutsideATerminalGetsPlainLines() {
        PrintStream old = System.err;
        var captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertFalse(ProgressBar.inTerminal(), "the test JVM runs without a terminal");
            trainer(new ProgressBar(System.err, true)).fit(DataLoader.of(data(40)).batchSize(4), null, 3);
        } finally {
            System.setErr(old);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains("\r"), log);
        assertEquals(3, log.lines().count(), log);
        assertTrue(log.startsWith("epoch 1/3  loss "), log);
    }
}
