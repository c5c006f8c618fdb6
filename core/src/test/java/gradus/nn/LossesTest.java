package gradus.nn;

import gradus.GradCheck;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LossesTest {
    private static final IntTensor LABELS = IntTensor.of(new int[]{2, 0, 3});
    private static final Tensor WEIGHTS = Tensor.of(new float[]{0.5f, 2f, 1f, 3f});

    private static Tensor normal(long seed, int... shape) {
        return Tensor.normal(new Rng(seed), 0f, 1f, shape);
    }

    @Test
    void crossEntropyGradientsForEveryOption() {
        for (Reduction r : Reduction.values()) {
            for (float smoothing : new float[]{0f, 0.2f}) {
                for (Tensor w : new Tensor[]{null, WEIGHTS}) {
                    GradCheck.check(t -> Losses.crossEntropy(t[0], LABELS, w, smoothing, r), normal(1, 3, 4));
                }
            }
        }
    }

    @Test
    void crossEntropyMatchesLogSoftmaxThenNll() {
        Tensor z = normal(2, 3, 4);
        for (Reduction r : Reduction.values()) {
            assertArrayEquals(Losses.nll(z.logSoftmax(1), LABELS, WEIGHTS, r).toArray(),
                    Losses.crossEntropy(z, LABELS, WEIGHTS, 0f, r).toArray(), 1e-5f, r.name());
        }
        // The weighted mean divides by the picked weights: (1·l0 + 0.5·l1 + 3·l2) / 4.5.
        float[] none = Losses.crossEntropy(z, LABELS, WEIGHTS, 0f, Reduction.NONE).toArray();
        assertEquals((none[0] + none[1] + none[2]) / 4.5f, Losses.crossEntropy(z, LABELS, WEIGHTS, 0f, Reduction.MEAN).item(), 1e-5f);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor z = Tensor.of(new float[][]{{1e4f, 0f, -1e4f}, {-1e4f, 1e4f, 0f}});
        Tensor l = Losses.crossEntropy(z.requiresGrad(true), IntTensor.of(new int[]{0, 0}), null, 0f, Reduction.NONE);
        assertArrayEquals(new float[]{0f, 2e4f}, l.toArray(), 1e-3f);
        l.sum().backward();
        // d/dz = softmax(z) - onehot(label): row 0 is already certain of its label, row 1 is certain of the wrong one.
        assertArrayEquals(new float[]{0f, 0f, 0f, -1f, 1f, 0f}, z.grad().toArray(), 1e-6f);
    }

    @Test
    void nllGradients() {
        GradCheck.check(t -> Losses.nll(t[0], LABELS), normal(3, 3, 4));
        GradCheck.check(t -> Losses.nll(t[0], LABELS, WEIGHTS, Reduction.SUM), normal(4, 3, 4));
        GradCheck.check(t -> Losses.nll(t[0], LABELS, WEIGHTS, Reduction.NONE), normal(5, 3, 4));
    }

    @Test
    void labelErrorsNameTheProblem() {
        var range = assertThrows(IndexOutOfBoundsException.class, () -> Losses.crossEntropy(normal(1, 3, 4), IntTensor.of(new int[]{0, 4, 1})));
        assertTrue(range.getMessage().contains("label 4") && range.getMessage().contains("4 classes"), range.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(normal(1, 3, 4), IntTensor.of(new int[]{0, 1})));
        assertTrue(shape.getMessage().contains("[3, 4]") && shape.getMessage().contains("[2]"), shape.getMessage());
        var w = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(normal(1, 3, 4), LABELS, Tensor.ones(3), 0f, Reduction.MEAN));
        assertTrue(w.getMessage().contains("[4]") && w.getMessage().contains("[3]"), w.getMessage());
    }

    @Test
    void bceWithLogitsGradientsAndStability() {
        Tensor y = Tensor.uniform(new Rng(6), 0f, 1f, 3, 4);
        GradCheck.check(t -> Losses.bceWithLogits(t[0], t[1]), normal(7, 3, 4), y);
        GradCheck.check(t -> Losses.bceWithLogits(t[0], y, Tensor.of(new float[]{0.5f, 1f, 2f, 3f}), Reduction.NONE), normal(8, 3, 4));
        Tensor extreme = Losses.bceWithLogits(Tensor.of(new float[]{100f, -100f, 100f}), Tensor.of(new float[]{0f, 1f, 1f}), null, Reduction.NONE);
        assertArrayEquals(new float[]{100f, 100f, 0f}, extreme.toArray(), 1e-4f);
        Tensor x = normal(9, 3, 4);
        assertEquals(Losses.bce(x.sigmoid(), y).item(), Losses.bceWithLogits(x, y).item(), 1e-5f);
        var e = assertThrows(IllegalArgumentException.class, () -> Losses.bceWithLogits(x, y, Tensor.ones(3), Reduction.MEAN));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[3, 4]"), e.getMessage());
    }

    @Test
    void bceGradientsAndRange() {
        Tensor p = Tensor.uniform(new Rng(10), 0.1f, 0.9f, 2, 3);
        Tensor y = Tensor.uniform(new Rng(11), 0f, 1f, 2, 3);
        GradCheck.check(t -> Losses.bce(t[0], t[1], Reduction.SUM), 1e-3, 2e-3, 2e-2, p, y);
        assertEquals(100f, Losses.bce(Tensor.of(new float[]{0f}), Tensor.of(new float[]{1f})).item(), 1e-5f, "log clamped at -100");
        var e = assertThrows(IllegalArgumentException.class, () -> Losses.bce(Tensor.of(new float[]{1.5f}), Tensor.of(new float[]{1f})));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    }

    @Test
    void regressionLosses() {
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2), b = Tensor.of(new float[]{2, 2, 1, 8}, 2, 2);
        assertEquals((1 + 0 + 4 + 16) / 4f, Losses.mse(a, b).item(), 1e-6f);
        assertEquals(21f, Losses.mse(a, b, Reduction.SUM).item(), 1e-6f);
        assertEquals((1 + 0 + 2 + 4) / 4f, Losses.l1(a, b).item(), 1e-6f);
        assertArrayEquals(new float[]{1, 0, 2, 4}, Losses.l1(a, b, Reduction.NONE).toArray());
        GradCheck.check(t -> Losses.mse(t[0], t[1]), normal(12, 2, 3), normal(13, 2, 3));
        GradCheck.check(t -> Losses.l1(t[0], t[1]), normal(14, 2, 3), normal(15, 2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> Losses.mse(a, Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void penalties() {
        Tensor w1 = Tensor.of(new float[]{1, -2, 0}), w2 = Tensor.of(new float[]{3, -1}, 2, 1);
        assertEquals(7f, Penalties.l1(List.of(w1, w2)).item());
        assertEquals(15f, Penalties.l2(List.of(w1, w2)).item());
        GradCheck.check(t -> Penalties.l2(List.of(t[0], t[1])), normal(16, 3), normal(17, 2, 2));
        GradCheck.check(t -> Penalties.l1(List.of(t[0], t[1])), Tensor.of(new float[]{0.5f, -1f, 2f}), Tensor.of(new float[]{-0.3f, 0.7f}));

        Linear model = new Linear(3, 2);
        Tensor loss = Losses.mse(model.forward(normal(18, 4, 3)), normal(19, 4, 2));
        loss.add(Penalties.l2(model.parameters()).mul(0.5f)).backward();
        Tensor withPenalty = model.weight().grad();
        model.zeroGrad();
        Losses.mse(model.forward(normal(18, 4, 3)), normal(19, 4, 2)).backward();
        // 0.5·Σw² adds exactly w to the gradient.
        assertArrayEquals(model.weight().grad().add(model.weight()).toArray(), withPenalty.toArray(), 1e-6f);
    }
}
