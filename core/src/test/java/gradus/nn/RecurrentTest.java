package gradus.nn;

import gradus.GradCheck;
import gradus.kernels.Parallel;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** LSTM and GRU: gradients by finite differences, variable lengths, options, errors and the config round trip. */
class RecurrentTest {
    private static Tensor normal(long seed, int... shape) {
        return Tensor.normal(new Rng(seed), 0f, 1f, shape);
    }

    /** Every output of a run, flattened into one tensor for {@link GradCheck}. */
    private static Tensor all(RecurrentOutput r) {
        List<Tensor> parts = new ArrayList<>(List.of(r.output().flatten(), r.hidden().flatten()));
        if (r.cell() != null) parts.add(r.cell().flatten());
        return Tensor.concat(parts, 0);
    }

    /** Gradients for input, initial states and every parameter, with lengths [T, 2, T-1]. */
    private static void gradCheck(Recurrent m, boolean withState) {
        Rng.manualSeed(3);
        int dirs = m.bidirectional() ? 2 : 1, b = 3, t = 4;
        Tensor x = normal(1, m.batchFirst() ? new int[]{b, t, m.inputSize()} : new int[]{t, b, m.inputSize()});
        List<Tensor> vars = new ArrayList<>(List.of(x));
        boolean lstm = m instanceof LSTM;
        if (withState) {
            vars.add(normal(2, m.numLayers() * dirs, b, m.hiddenSize()).mul(0.5f));
            if (lstm) vars.add(normal(3, m.numLayers() * dirs, b, m.hiddenSize()).mul(0.5f));
        }
        vars.addAll(m.parameters());
        int[] lengths = {t, 2, t - 1};
        GradCheck.checkFloat32(v -> all(m.run(v[0], lengths, withState ? v[1] : null, withState && lstm ? v[2] : null)),
                vars.toArray(new Tensor[0]));
    }

    @Test
    void lstmGradients() {
        gradCheck(new LSTM(3, 4, 1, false, true, 0f, true), true);
        gradCheck(new LSTM(2, 3, 2, true, true, 0f, true), true);
        gradCheck(new LSTM(2, 9, 1, false, false, 0f, false), false); // vector loop and tail, time-major, no bias
    }

    @Test
    void gruGradients() {
        gradCheck(new GRU(3, 4, 1, false, true, 0f, true), true);
        gradCheck(new GRU(2, 3, 2, true, true, 0f, true), true);
        gradCheck(new GRU(2, 9, 1, false, false, 0f, false), false);
    }

    /** A padded sequence gives what it gives alone at its true length; its padded outputs are zero. */
    @Test
    void lengthsMatchSeparateRuns() {
        for (Recurrent m : List.of(new LSTM(3, 5, 2, true, true, 0f, true), new GRU(3, 5, 2, true, true, 0f, true))) {
            Tensor x = normal(4, 3, 6, 3);
            int[] lengths = {6, 2, 4};
            RecurrentOutput r = m.run(x, lengths);
            for (int b = 0; b < 3; b++) {
                RecurrentOutput alone = m.run(x.narrow(0, b, 1).narrow(1, 0, lengths[b]), null);
                assertArrayEquals(alone.output().toArray(), r.output().narrow(0, b, 1).narrow(1, 0, lengths[b]).toArray(), 1e-5f);
                assertArrayEquals(new float[(6 - lengths[b]) * 10], r.output().narrow(0, b, 1).narrow(1, lengths[b], 6 - lengths[b]).toArray());
                assertArrayEquals(alone.hidden().toArray(), r.hidden().narrow(1, b, 1).toArray(), 1e-5f);
                if (m instanceof LSTM) assertArrayEquals(alone.cell().toArray(), r.cell().narrow(1, b, 1).toArray(), 1e-5f);
            }
        }
    }

    @Test
    void unbatchedInputIsABatchOfOne() {
        LSTM m = new LSTM(3, 4, 1, true, true, 0f, true);
        Tensor x = normal(5, 5, 3), h0 = normal(6, 2, 4), c0 = normal(7, 2, 4);
        RecurrentOutput one = m.run(x, null, h0, c0), batch = m.run(x.unsqueeze(0), null, h0.unsqueeze(1), c0.unsqueeze(1));
        assertArrayEquals(new int[]{5, 8}, one.output().shape());
        assertArrayEquals(new int[]{2, 4}, one.hidden().shape());
        assertArrayEquals(batch.output().toArray(), one.output().toArray());
        assertArrayEquals(batch.cell().toArray(), one.cell().toArray());
    }

    /** Wide batches split over threads; every row must come out as on one thread. */
    @Test
    void threadSplitGivesTheSameNumbers() {
        int threads = Parallel.threads();
        try {
            for (Recurrent m : List.of(new LSTM(4, 16, 1, true, true, 0f, true), new GRU(4, 16, 1, true, true, 0f, true))) {
                Tensor x = normal(8, 40, 5, 4).requiresGrad(true);
                int[] lengths = new int[40];
                for (int b = 0; b < 40; b++) lengths[b] = 1 + b % 5;
                float[][] results = new float[2][];
                float[][] grads = new float[2][];
                for (int n = 1; n <= 2; n++) {
                    Parallel.setThreads(n);
                    x.zeroGrad();
                    RecurrentOutput r = m.run(x, lengths);
                    all(r).mul(all(r)).sum().backward();
                    results[n - 1] = all(r).toArray();
                    grads[n - 1] = x.grad().toArray();
                }
                assertArrayEquals(results[0], results[1], 1e-6f);
                assertArrayEquals(grads[0], grads[1], 1e-5f);
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void dropoutBetweenLayersOnlyInTraining() {
        Rng.manualSeed(9);
        GRU m = new GRU(3, 6, 2, false, true, 0.5f, true);
        GRU plain = new GRU(3, 6, 2, false, true, 0f, true);
        plain.loadStateDict(m.stateDict());
        Tensor x = normal(10, 2, 5, 3);
        assertFalse(java.util.Arrays.equals(plain.forward(x).toArray(), m.forward(x).toArray()), "training drops");
        m.eval();
        assertArrayEquals(plain.forward(x).toArray(), m.forward(x).toArray(), "eval() is deterministic");
    }

    @Test
    void pytorchParameterNamesShapesAndInit() {
        LSTM m = new LSTM(3, 4, 2, true, true, 0f, true);
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"), new ArrayList<>(m.stateDict().keySet()));
        Map<String, Tensor> p = m.namedParameters();
        assertArrayEquals(new int[]{16, 3}, p.get("weight_ih_l0").shape());
        assertArrayEquals(new int[]{16, 8}, p.get("weight_ih_l1_reverse").shape());
        assertArrayEquals(new int[]{12, 4}, new GRU(3, 4).namedParameters().get("weight_hh_l0").shape());
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), new ArrayList<>(new GRU(3, 4, 1, false, true, 0f, false).stateDict().keySet()));
        for (Tensor t : m.parameters()) {
            for (float v : t.toArray()) assertTrue(Math.abs(v) <= 0.5f, "U(-1/sqrt(H), 1/sqrt(H))");
        }
    }

    @Test
    void configRoundTrip() {
        for (Recurrent m : List.of(new LSTM(3, 4, 2, true, false, 0.25f, false), new GRU(5, 2))) {
            Module copy = Layers.fromConfig(m.config());
            assertEquals(m.getClass(), copy.getClass());
            assertEquals(m.config(), copy.config());
        }
        Module lstm = Layers.fromConfig(Map.of("type", "LSTM", "input_size", 3, "hidden_size", 4));
        assertEquals(Map.of("type", "LSTM", "input_size", 3, "hidden_size", 4, "num_layers", 1, "bidirectional", false,
                "batch_first", true, "dropout", 0f, "bias", true), lstm.config());
    }

    @Test
    void badInputsNameTheProblem() {
        LSTM m = new LSTM(3, 4, 2, false, true, 0f, true);
        Tensor x = normal(11, 2, 5, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(normal(1, 2, 5, 4)));
        assertTrue(e.getMessage().contains("[B, T, 3]") && e.getMessage().contains("[2, 5, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.run(x, null, normal(1, 1, 2, 4), null));
        assertTrue(e.getMessage().contains("h0") && e.getMessage().contains("[2, 2, 4]") && e.getMessage().contains("[1, 2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.run(x, new int[]{5, 6}));
        assertTrue(e.getMessage().contains("length 6") && e.getMessage().contains("[1, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.run(x, new int[]{5}));
        assertTrue(e.getMessage().contains("1 lengths for a batch of 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GRU(3, 4).run(x, null, null, normal(1, 1, 2, 4)));
        assertTrue(e.getMessage().contains("c0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LSTM(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new GRU(3, 4, 2, false, true, 1f, true));
    }

    @Test
    void secondBackwardIsRefused() {
        GRU m = new GRU(2, 3);
        Tensor y = m.forward(normal(12, 1, 3, 2)).sum();
        y.backward();
        assertThrows(IllegalStateException.class, y::backward);
    }
}
