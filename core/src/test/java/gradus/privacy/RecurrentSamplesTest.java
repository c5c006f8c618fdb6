package gradus.privacy;

import gradus.autograd.RecurrentOps;
import gradus.data.Batch;
import gradus.kernels.Sweep;
import gradus.models.LstmClassifier;
import gradus.nn.GRU;
import gradus.nn.LSTM;
import gradus.nn.Recurrent;
import gradus.nn.RecurrentOutput;
import gradus.tensor.DType;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-sample gradients of LSTM and GRU weights under DP-SGD against each example's gradient computed alone (batch of
 * 1) in float64 by the layers' composite of primitive ops (an implementation independent of the fused sweep kernels),
 * stacked, bidirectional, with padded sequences, batch-first and time-first; then the spam classifier
 * (Embedding → LSTM → Linear at the last real token) against one-example backward passes, and the clipped sum.
 */
class RecurrentSamplesTest {
    private static final double ATOL = 1e-5;
    private static final int BATCH = 4, STEPS = 5, IN = 3, HIDDEN = 4;
    private static final int[] LENGTHS = {5, 3, 1, 4};

    @Test
    void lstmStackedBidirectionalBatchFirstEqualsOneExampleAtATimeInDouble() {
        Rng.manualSeed(21);
        check(new LSTM(IN, HIDDEN, 2, true, true, 0f, true), Sweep.Cell.LSTM);
    }

    @Test
    void gruStackedBidirectionalTimeFirstEqualsOneExampleAtATimeInDouble() {
        Rng.manualSeed(22);
        check(new GRU(IN, HIDDEN, 2, true, false, 0f, true), Sweep.Cell.GRU);
    }

    @Test
    void gruWithoutBiasOneDirectionEqualsOneExampleAtATimeInDouble() {
        Rng.manualSeed(23);
        check(new GRU(IN, HIDDEN, 1, false, true, 0f, false), Sweep.Cell.GRU);
    }

    /**
     * Loss Σ output·R + Σ final h·S (fixed random R, S), summed over samples: every parameter's per-sample gradient is
     * that sample's gradient of its own term.
     */
    private static void check(Recurrent rnn, Sweep.Cell cell) {
        boolean bf = rnn.batchFirst();
        int dirs = rnn.bidirectional() ? 2 : 1, layers = rnn.numLayers();
        Tensor x = bf ? Tensor.randn(BATCH, STEPS, IN) : Tensor.randn(STEPS, BATCH, IN);
        Tensor r = bf ? Tensor.randn(BATCH, STEPS, dirs * HIDDEN) : Tensor.randn(STEPS, BATCH, dirs * HIDDEN);
        Tensor s = Tensor.randn(layers * dirs, BATCH, HIDDEN);

        DpSgd dp = DpSgd.builder(rnn).noiseMultiplier(0).maxGradNorm(1e9).lossReduction(DpSgd.LossReduction.SUM).build();
        try (var rec = dp.record()) {
            RecurrentOutput out = rnn.run(x, LENGTHS);
            out.output().mul(r).sum().add(out.hidden().mul(s).sum()).backward();
        }
        Map<Tensor, Tensor> actual = dp.perSampleGradients();
        assertEquals(rnn.parameters().size(), actual.size(), "every parameter gets per-sample gradients");

        for (int i = 0; i < BATCH; i++) {
            Map<String, Tensor> want = oneExampleInDouble(rnn, cell, x.narrow(bf ? 0 : 1, i, 1), r.narrow(bf ? 0 : 1, i, 1),
                    s.narrow(1, i, 1), LENGTHS[i]);
            for (var e : rnn.namedParameters().entrySet()) {
                float[] got = actual.get(e.getValue()).toArray();
                double[] w = want.get(e.getKey()).grad().toDoubleArray();
                for (int j = 0; j < w.length; j++) {
                    assertEquals(w[j], got[i * w.length + j], ATOL, cell + " " + e.getKey() + " sample " + i + " element " + j);
                }
            }
        }
    }

    /** One sequence's loss term through {@link RecurrentOps.Layer#composite} in float64; its parameters by name. */
    private static Map<String, Tensor> oneExampleInDouble(Recurrent rnn, Sweep.Cell cell, Tensor x, Tensor r, Tensor s, int length) {
        Map<String, Tensor> p = new HashMap<>();
        rnn.namedParameters().forEach((name, t) -> p.put(name, t.detach().to(DType.FLOAT64).requiresGrad(true)));
        int dirs = rnn.bidirectional() ? 2 : 1;
        Sweep.Layout layout = new Sweep.Layout(1, STEPS, rnn.batchFirst(), new int[]{length});
        var op = new RecurrentOps.Layer(cell, HIDDEN, dirs, layout);
        Tensor in = x.to(DType.FLOAT64), loss = null;
        for (int l = 0; l < rnn.numLayers(); l++) {
            Tensor[] inputs = new Tensor[1 + 4 * dirs + 2];
            inputs[0] = in;
            for (int d = 0; d < dirs; d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                inputs[1 + 4 * d] = p.get("weight_ih" + suffix);
                inputs[2 + 4 * d] = p.get("weight_hh" + suffix);
                inputs[3 + 4 * d] = p.get("bias_ih" + suffix);
                inputs[4 + 4 * d] = p.get("bias_hh" + suffix);
            }
            Tensor all = op.composite(inputs);
            in = op.output(all);
            Tensor term = op.hidden(all).mul(s.narrow(0, l * dirs, dirs).to(DType.FLOAT64)).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.add(in.mul(r.to(DType.FLOAT64)).sum()).backward();
        return p;
    }

    static Batch tokens(int n, int steps, int vocab) {
        Rng rng = new Rng(9);
        float[] ids = new float[n * steps];
        for (int i = 0; i < n; i++) {
            int len = 1 + (i * 3) % steps; // right-padded with id 0, as the text pipeline pads
            for (int t = 0; t < len; t++) ids[i * steps + t] = 1 + rng.nextInt(vocab - 1);
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % 2;
        return new Batch(Tensor.of(ids, n, steps), IntTensor.of(y, n), null);
    }

    @Test
    void spamLstmClassifierEqualsPerExampleBackward() {
        Rng.manualSeed(24);
        var model = new LstmClassifier(12, 5, 6, 2);
        Batch batch = tokens(5, 7, 12);
        List<Map<Tensor, float[]>> expected = DpSgdTest.perExample(model, batch);
        DpSgd dp = DpSgd.builder(model).noiseMultiplier(0).maxGradNorm(1e9).build();
        DpSgdTest.backward(dp, model, batch);
        Map<Tensor, Tensor> actual = dp.perSampleGradients();
        assertEquals(model.parameters().size(), actual.size(), "every parameter gets per-sample gradients");
        model.namedParameters().forEach((name, p) -> {
            float[] got = actual.get(p).toArray();
            int n = p.numel();
            for (int i = 0; i < batch.size(); i++) {
                float[] want = expected.get(i).get(p);
                for (int j = 0; j < n; j++) assertEquals(want[j], got[i * n + j], ATOL, name + " sample " + i + " element " + j);
            }
        });
    }

    @Test
    void clippedSumOfTheSpamLstmEqualsPerExampleClipping() {
        Rng.manualSeed(25);
        var model = new LstmClassifier(12, 5, 6, 2);
        Batch batch = tokens(5, 7, 12);
        List<Map<Tensor, float[]>> per = DpSgdTest.perExample(model, batch);
        double bound = 1e-3; // below every sample's norm: all are clipped
        Map<Tensor, double[]> want = new IdentityHashMap<>();
        for (Tensor p : model.parameters()) want.put(p, new double[p.numel()]);
        for (Map<Tensor, float[]> g : per) {
            double total = 0;
            for (float[] v : g.values()) for (float f : v) total += (double) f * f;
            double factor = Math.min(1, bound / (Math.sqrt(total) + 1e-6));
            for (Tensor p : model.parameters()) {
                double[] w = want.get(p);
                float[] v = g.get(p);
                for (int j = 0; j < w.length; j++) w[j] += factor * v[j] / batch.size();
            }
        }
        DpSgd dp = DpSgd.builder(model).noiseMultiplier(0).maxGradNorm(bound).sampling(batch.size(), 100).build();
        DpSgdTest.backward(dp, model, batch);
        assertEquals(batch.size(), dp.accumulate());
        dp.step();
        assertEquals(1.0, dp.clippedFraction());
        for (Tensor p : model.parameters()) {
            float[] got = p.grad().toArray();
            double[] w = want.get(p);
            for (int j = 0; j < w.length; j++) assertEquals(w[j], got[j], 1e-8, "clipped sum of " + p);
        }
    }
}
