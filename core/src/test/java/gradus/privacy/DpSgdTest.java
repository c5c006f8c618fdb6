package gradus.privacy;

import gradus.data.Batch;
import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.metrics.Metric;
import gradus.nn.BatchNorm1d;
import gradus.nn.Conv2d;
import gradus.nn.Embedding;
import gradus.nn.Flatten;
import gradus.nn.LayerNorm;
import gradus.nn.LearnedPositionalEmbedding;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.MultiHeadAttention;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.SGD;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DP-SGD checked the way Opacus's tests check it: per-sample gradients against a loop of one-example backward
 * passes, clipping and the noise level, and σ = 0 with an unreachable bound against ordinary training.
 * float32 throughout: the per-sample rules read the fused float32 ops (a float64 model runs their composites).
 */
class DpSgdTest {
    private static final double ATOL = 1e-5;

    /** Embedding (padding id, repeated ids) → self-attention (stacked q/k/v projections) → LayerNorm → per-position Linear → Linear. */
    static final class SequenceNet extends Module {
        final Embedding embedding = registerModule("embedding", new Embedding(7, 6, 0));
        final MultiHeadAttention attention = registerModule("attention", new MultiHeadAttention(6, 2));
        final LayerNorm norm = registerModule("norm", new LayerNorm(6));
        final Linear narrow = registerModule("narrow", new Linear(6, 2)); // [2, 6] < 2·T² at T = 4: formed per sample
        final Linear head = registerModule("head", new Linear(8, 3));

        @Override
        public Tensor forward(Tensor ids) {
            Tensor h = embedding.forward(ids);
            h = norm.forward(h.add(attention.forward(h)));
            Tensor n = narrow.forward(h); // [B, 4, 2]
            return head.forward(n.reshape(n.size(0), 8));
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("type", "SequenceNet");
        }
    }

    static Module cnn() {
        return new Sequential(new Conv2d(1, 3, 3, 1, 1).activation("relu"), new MaxPool2d(2), new Conv2d(3, 4, 3),
                new Flatten(), new Linear(4, 5), new ReLU(), new Linear(5, 3));
    }

    static Batch images(int n) {
        return new Batch(Tensor.randn(n, 1, 6, 6), labels(n), null);
    }

    static Batch sequences(int n) {
        Rng rng = new Rng(5);
        float[] ids = new float[n * 4];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(4); // ids 0..3 in 4 positions: repeats and padding
        return new Batch(Tensor.of(ids, n, 4), labels(n), null);
    }

    static IntTensor labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (i * 7 + 1) % 3;
        return IntTensor.of(y, n);
    }

    /** Each example's gradient from its own forward and backward: what the per-sample rules must reproduce. */
    static List<Map<Tensor, float[]>> perExample(Module model, Batch batch) {
        List<Map<Tensor, float[]>> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            model.zeroGrad();
            Batch one = batch.rows(i, i + 1);
            Loss.crossEntropy().compute(model.forward(one.x()), one).backward();
            Map<Tensor, float[]> g = new IdentityHashMap<>();
            for (Tensor p : model.parameters()) g.put(p, p.grad().toArray());
            out.add(g);
        }
        model.zeroGrad();
        return out;
    }

    static void backward(DpSgd dp, Module model, Batch batch) {
        try (var r = dp.record()) {
            Loss.crossEntropy().compute(model.forward(batch.x()), batch).backward();
        }
    }

    @Test
    void perSampleGradientsOfConvolutionsAndLinearsEqualPerExampleBackward() {
        Rng.manualSeed(11);
        checkPerSample(cnn(), images(6));
    }

    @Test
    void perSampleGradientsOfEmbeddingAttentionLayerNormEqualPerExampleBackward() {
        Rng.manualSeed(12);
        checkPerSample(new SequenceNet(), sequences(5));
    }

    private static void checkPerSample(Module model, Batch batch) {
        List<Map<Tensor, float[]>> expected = perExample(model, batch);
        DpSgd dp = DpSgd.builder(model).noiseMultiplier(0).maxGradNorm(1e9).build();
        backward(dp, model, batch);
        Map<Tensor, Tensor> actual = dp.perSampleGradients();
        assertEquals(model.parameters().size(), actual.size(), "every parameter gets per-sample gradients");
        model.namedParameters().forEach((name, p) -> {
            float[] got = actual.get(p).toArray();
            int n = p.numel();
            for (int i = 0; i < batch.size(); i++) {
                float[] want = expected.get(i).get(p);
                for (int j = 0; j < n; j++) {
                    assertEquals(want[j], got[i * n + j], ATOL, name + " sample " + i + " element " + j);
                }
            }
        });
    }

    @Test
    void clippedSumEqualsPerExampleClippingFlatAndPerLayer() {
        for (DpSgd.Clipping clipping : DpSgd.Clipping.values()) {
            for (Module model : List.of(cnn(), new SequenceNet())) {
                Rng.manualSeed(13);
                Batch batch = model instanceof SequenceNet ? sequences(5) : images(5);
                List<Map<Tensor, float[]>> per = perExample(model, batch);
                double bound = 1e-3; // below every sample's norm: all are clipped
                List<Tensor> params = model.parameters();
                Map<Tensor, float[]> want = new IdentityHashMap<>();
                for (Tensor p : params) want.put(p, new float[p.numel()]);
                for (Map<Tensor, float[]> g : per) {
                    double total = 0;
                    for (float[] v : g.values()) total += squares(v);
                    for (Tensor p : params) {
                        double norm = clipping == DpSgd.Clipping.FLAT ? Math.sqrt(total) : Math.sqrt(squares(g.get(p)));
                        double c = clipping == DpSgd.Clipping.FLAT ? bound : bound / Math.sqrt(params.size());
                        double factor = Math.min(1, c / (norm + 1e-6));
                        float[] w = want.get(p), v = g.get(p);
                        for (int j = 0; j < w.length; j++) w[j] += (float) (factor * v[j] / batch.size());
                    }
                }
                DpSgd dp = DpSgd.builder(model).noiseMultiplier(0).maxGradNorm(bound).clipping(clipping)
                        .sampling(batch.size(), 100).build();
                backward(dp, model, batch);
                assertEquals(batch.size(), dp.accumulate());
                dp.step();
                assertEquals(1.0, dp.clippedFraction(), clipping + " " + model.getClass().getSimpleName());
                for (Tensor p : params) {
                    float[] got = p.grad().toArray(), w = want.get(p);
                    for (int j = 0; j < w.length; j++) assertEquals(w[j], got[j], 1e-8, clipping + " " + model.getClass().getSimpleName());
                }
            }
        }
    }

    @Test
    void oneSampleWithoutNoiseIsClippedToTheBound() {
        Rng.manualSeed(14);
        Module model = cnn();
        Batch one = images(1);
        for (double bound : new double[]{1e-3, 0.01, 0.1}) {
            DpSgd dp = DpSgd.builder(model).noiseMultiplier(0).maxGradNorm(bound).sampling(1, 10).build();
            backward(dp, model, one);
            dp.accumulate();
            dp.step();
            double sq = 0;
            for (Tensor p : model.parameters()) sq += squares(p.grad().toArray());
            assertEquals(bound, Math.sqrt(sq), bound * 1e-4, "the clipped gradient's norm is the bound");
        }
    }

    @Test
    void noiseHasStandardDeviationSigmaTimesBoundOverExpectedBatch() {
        Rng.manualSeed(15);
        Linear layer = new Linear(200, 100, false); // zero inputs: every per-sample gradient is zero, the step is pure noise
        Module model = new Sequential(layer);
        double sigma = 1.3, bound = 0.7;
        int expected = 4;
        for (boolean secure : new boolean[]{false, true}) {
            DpSgd dp = DpSgd.builder(model).noiseMultiplier(sigma).maxGradNorm(bound).sampling(expected, 100).secureRandom(secure).build();
            Batch batch = new Batch(Tensor.zeros(expected, 200), labels(expected), null);
            backward(dp, model, batch);
            dp.accumulate();
            dp.step();
            float[] g = layer.weight().grad().toArray();
            double mean = 0, sq = 0;
            for (float v : g) mean += v;
            mean /= g.length;
            for (float v : g) sq += (v - mean) * (v - mean);
            double std = Math.sqrt(sq / (g.length - 1)), want = sigma * bound / expected;
            // 20,000 draws: the sample std is within 3% of the true one with overwhelming probability
            assertEquals(want, std, 0.03 * want, "noise std (secure RNG " + secure + ")");
            assertEquals(0, mean, 4 * want / Math.sqrt(g.length));
        }
    }

    @Test
    void zeroNoiseAndHugeBoundTrainLikeOrdinarySgd() {
        Rng.manualSeed(16);
        Module plain = cnn();
        Rng.manualSeed(16);
        Module dpModel = cnn();
        Rng.manualSeed(17);
        TensorDataset data = new TensorDataset(Tensor.randn(24, 1, 6, 6), labels(24));
        Trainer.of(plain).optimizer(new SGD(plain.parameters(), 0.1)).loss(Loss.crossEntropy())
                .fit(DataLoader.of(data).batchSize(6), null, 2);
        DpSgd dp = DpSgd.builder(dpModel).noiseMultiplier(0).maxGradNorm(1e9).sampling(6, 24).maxPhysicalBatchSize(4).build();
        Trainer.of(dpModel).optimizer(new SGD(dpModel.parameters(), 0.1)).loss(Loss.crossEntropy()).privacy(dp)
                .fit(DataLoader.of(data).batchSize(6), null, 2); // batches of 6 run as physical 4 + 2
        assertEquals(8, dp.steps());
        List<Tensor> a = plain.parameters(), b = dpModel.parameters();
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i).toArray(), y = b.get(i).toArray();
            for (int j = 0; j < x.length; j++) assertEquals(x[j], y[j], ATOL, "parameter " + i);
        }
    }

    @Test
    void poissonLoaderDrawsEachExampleWithTheSampleRate() {
        TensorDataset data = new TensorDataset(Tensor.zeros(1000, 2), labels(1000));
        DataLoader loader = DataLoader.of(data).batchSize(50).poissonSampling(3);
        assertEquals(0.05, loader.poissonRate());
        assertEquals(20, loader.numBatches());
        int total = 0, min = Integer.MAX_VALUE, max = 0;
        for (int epoch = 0; epoch < 5; epoch++) {
            for (Batch b : loader.epoch(epoch)) {
                total += b.size();
                min = Math.min(min, b.size());
                max = Math.max(max, b.size());
            }
        }
        // 100 batches of Binomial(1000, 0.05): mean 50, std 6.9; the total's std is 69
        assertEquals(5000, total, 300);
        assertTrue(min < 50 && max > 50, "batch sizes vary: " + min + ".." + max);
        int first = 0, again = 0;
        for (Batch b : loader.epoch(2)) first += b.size();
        for (Batch b : loader.epoch(2)) again += b.size();
        assertEquals(first, again, "an epoch's draws depend only on the seed and the epoch");
    }

    @Test
    void emptyPoissonBatchStillStepsWithNoise() {
        Rng.manualSeed(18);
        Module model = new Sequential(new Linear(3, 2));
        TensorDataset data = new TensorDataset(Tensor.randn(4, 3), labels(4));
        DpSgd dp = DpSgd.builder(model).noiseMultiplier(1).maxGradNorm(1).sampling(1, 4).build();
        Trainer trainer = Trainer.of(model).optimizer(new SGD(model.parameters(), 0.1)).loss(Loss.crossEntropy())
                .metrics(Metric.accuracy()).privacy(dp);
        trainer.trainStep(data.get(new int[0]));
        assertEquals(1, dp.steps());
        assertTrue(squares(model.parameters().get(0).grad().toArray()) > 0, "noise reached the gradient");
    }

    @Test
    void batchNormIsRefusedWithTheReasonAndAReplacement() {
        Module model = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Linear(4, 2));
        DpSgd dp = DpSgd.builder(model).noiseMultiplier(1).maxGradNorm(1).build();
        var e = assertThrows(UnsupportedOperationException.class,
                () -> backward(dp, model, new Batch(Tensor.randn(5, 3), IntTensor.of(new int[]{0, 1, 0, 1, 1}, 5), null)));
        assertTrue(e.getMessage().contains("'1.weight' (BatchNorm1d)"), e.getMessage());
        assertTrue(e.getMessage().contains("mixes the samples") && e.getMessage().contains("LayerNorm"), e.getMessage());
    }

    @Test
    void aLayerWithoutRuleIsNamed() {
        Module model = new Sequential(new LearnedPositionalEmbedding(4, 3), new Flatten(), new Linear(12, 2));
        DpSgd dp = DpSgd.builder(model).noiseMultiplier(1).maxGradNorm(1).build();
        var e = assertThrows(UnsupportedOperationException.class,
                () -> backward(dp, model, new Batch(Tensor.randn(2, 4, 3), IntTensor.of(new int[]{0, 1}, 2), null)));
        assertTrue(e.getMessage().contains("(LearnedPositionalEmbedding)") && e.getMessage().contains("no per-sample gradient rule"), e.getMessage());
    }

    @Test
    void targetEpsilonPicksTheNoiseAndTheAccountantReportsIt() {
        Module model = new Sequential(new Linear(3, 2));
        DpSgd dp = DpSgd.builder(model).maxGradNorm(1).sampling(256, 60000).accountant("rdp").targetEpsilon(3, 1e-5, 2).build();
        double q = 256 / 60000.0;
        long steps = NoiseMultiplier.stepsForEpochs(2, q);
        assertEquals(NoiseMultiplier.find("rdp", 3, 1e-5, q, steps, 0.01), dp.noiseMultiplier());
        Rdp reference = new Rdp();
        for (long s = 0; s < steps; s++) {
            dp.step();
            reference.step(dp.noiseMultiplier(), q);
        }
        assertEquals(reference.epsilon(1e-5), dp.epsilon(), 1e-12);
        assertTrue(dp.epsilon() <= 3 && dp.epsilon() > 2.9, "ε " + dp.epsilon());
        assertEquals(dp.epsilon(), (Double) dp.report().get("epsilon"));
    }

    private static double squares(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return s;
    }
}
