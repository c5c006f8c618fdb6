package gradus.explain;

import gradus.autograd.GradMode;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.nn.Tanh;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The path points of Integrated Gradients run in chunks of rows across examples; whatever the chunking, the
 * result is the one of one forward and backward pass per path point, and it satisfies completeness.
 */
class IntegratedGradientsBatchingTest {
    private static Sequential mlp() {
        Rng.manualSeed(7);
        Sequential m = new Sequential(new Linear(6, 16), new Tanh(), new Linear(16, 3));
        m.eval();
        return m;
    }

    private static Sequential cnn() {
        Rng.manualSeed(8);
        Sequential m = new Sequential(new Conv2d(2, 4, 3, 1, 1), new Tanh(), new Flatten(1, -1), new Linear(4 * 5 * 5, 3));
        m.eval();
        return m;
    }

    /** The integral point by point: a forward and a backward pass for each example and each α. */
    private static float[] onePointAtATime(UnaryOperator<Tensor> f, Tensor batch, Tensor base, Quadrature rule, int steps, int target) {
        var nodes = rule.nodes(steps);
        float[] out = new float[batch.numel()];
        int size = batch.numel() / batch.size(0);
        for (int i = 0; i < batch.size(0); i++) {
            Tensor diff = batch.narrow(0, i, 1).sub(base);
            Tensor integral = Tensor.zerosLike(diff);
            for (int k = 0; k < steps; k++) {
                Tensor point = base.add(diff.mul((float) nodes.alphas()[k]));
                integral = integral.add(Gradients.of(f, point, target).gradients().mul((float) nodes.weights()[k]));
            }
            System.arraycopy(integral.mul(diff).toArray(), 0, out, i * size, size);
        }
        return out;
    }

    private static void assertBatchedEqualsPointwise(Sequential m, Tensor batch, Tensor base) {
        float[] expected = onePointAtATime(m::forward, batch, base, Quadrature.GAUSS_LEGENDRE, 16, 1);
        for (int chunk : new int[]{1, 7, 16, 64}) { // 7 and 64 straddle examples
            float[] got = new IntegratedGradients(m::forward).steps(16).batchSize(chunk).baseline(base).attribute(batch, 1).attributions().toArray();
            assertEquals(expected.length, got.length);
            for (int j = 0; j < got.length; j++) assertEquals(expected[j], got[j], 1e-5, "batch size " + chunk + ", element " + j);
        }
    }

    @Test
    void anyChunkingOfAnMlpGivesThePointwiseIntegral() {
        assertBatchedEqualsPointwise(mlp(), Tensor.randn(3, 6), Tensor.full(0.25f, 1, 6));
    }

    @Test
    void anyChunkingOfACnnGivesThePointwiseIntegral() {
        assertBatchedEqualsPointwise(cnn(), Tensor.randn(3, 2, 5, 5), Tensor.zeros(1, 2, 5, 5));
    }

    private static void assertComplete(Sequential m, Tensor batch, int target) {
        var r = new IntegratedGradients(m::forward).steps(64).rule(Quadrature.RIEMANN_MIDDLE).batchSize(50).attribute(batch, target);
        float[] a = r.attributions().toArray();
        int size = a.length / batch.size(0);
        Tensor fx, f0;
        try (var g = GradMode.noGrad()) {
            fx = m.forward(batch);
            int[] one = batch.shape().clone();
            one[0] = 1;
            f0 = m.forward(Tensor.zeros(one));
        }
        for (int i = 0; i < batch.size(0); i++) {
            double sum = 0;
            for (int j = 0; j < size; j++) sum += a[i * size + j];
            double delta = fx.get(i, target) - f0.get(0, target);
            assertEquals(delta, r.deltas()[i], 1e-5, "f(x) − f(baseline) of example " + i);
            assertEquals(sum - delta, r.gaps()[i], 1e-5, "gap of example " + i);
            // the midpoint rule's error at 64 steps, on a smooth model, is far below 1% of the change
            assertTrue(Math.abs(sum - delta) <= 0.01 * Math.abs(delta) + 1e-6, "example " + i + ": Σ " + sum + " vs Δ " + delta);
        }
    }

    @Test
    void mlpAttributionsAddUpToTheChangeOfTheOutput() {
        assertComplete(mlp(), Tensor.randn(4, 6).mul(2f), 2);
    }

    @Test
    void cnnAttributionsAddUpToTheChangeOfTheOutput() {
        assertComplete(cnn(), Tensor.randn(3, 2, 5, 5), 0);
    }
}
