package gradus.tensor;

import gradus.GradCheck;
import gradus.autograd.GradMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {
    private static Tensor r(long seed, int... shape) {
        return Tensor.normal(new Rng(seed), 0f, 1f, shape);
    }

    /** Away from zero, where relu/abs/max have kinks that finite differences cannot see. */
    private static Tensor rAwayFromZero(long seed, int... shape) {
        Tensor t = r(seed, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = d[i] >= 0 ? d[i] + 0.1f : d[i] - 0.1f;
        return t;
    }

    @Test
    void viewsShareStorage() {
        Tensor a = Tensor.arange(6).reshape(2, 3);
        Tensor t = a.t();
        assertArrayEquals(new int[]{3, 2}, t.shape());
        assertSame(a.data(), t.data());
        assertEquals(5f, t.get(2, 1));
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, t.toArray());
        Tensor n = a.narrow(1, 1, 2);
        assertArrayEquals(new float[]{1, 2, 4, 5}, n.toArray());
        assertArrayEquals(new float[]{1, 2, 3, 1, 2, 3}, Tensor.of(new float[]{1, 2, 3}).expand(2, 3).toArray());
        assertArrayEquals(new int[]{2, 1, 3}, a.unsqueeze(1).shape());
        assertArrayEquals(new int[]{2, 3}, a.unsqueeze(1).squeeze().shape());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, a.permute(1, 0).contiguous().toArray());
        assertArrayEquals(new float[]{4, 5}, a.slice(1, -2, 3).select(0, 1).toArray());
    }

    @Test
    void broadcastingArithmetic() {
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[]{10, 20, 30});
        assertArrayEquals(new float[]{11, 22, 33, 14, 25, 36}, a.add(b).toArray());
        Tensor c = Tensor.of(new float[]{2, 4}, 2, 1);
        assertArrayEquals(new float[]{0.5f, 1, 1.5f, 1, 1.25f, 1.5f}, a.div(c).toArray(), 1e-6f);
        assertArrayEquals(new float[]{-1, 0, 1, 2, 3, 4}, a.sub(2f).toArray());
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
        var e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
        var m = assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(4, 5)));
        assertTrue(m.getMessage().contains("[2, 3]") && m.getMessage().contains("[4, 5]"), m.getMessage());
    }

    @Test
    void reductions() {
        Tensor a = Tensor.of(new float[]{1, 5, 3, 4, 2, 6}, 2, 3);
        assertEquals(21f, a.sum().item());
        assertArrayEquals(new float[]{5, 7, 9}, a.sum(0).toArray());
        assertArrayEquals(new float[]{9, 12}, a.sum(1).toArray());
        assertArrayEquals(new int[]{2, 1}, a.sum(1, true).shape());
        assertArrayEquals(new float[]{3, 4}, a.mean(1).toArray());
        assertArrayEquals(new float[]{4, 4}, a.var(1).toArray(), 1e-6f);
        assertArrayEquals(new float[]{5, 6}, a.max(1, false).toArray());
        assertArrayEquals(new int[]{1, 2}, a.argmax(1).data());
        assertArrayEquals(new float[]{1, 2}, a.min(1, false).toArray());
        float lse = (float) Math.log(Math.exp(1) + Math.exp(5) + Math.exp(3));
        assertEquals(lse, a.logSumExp(1, false).get(0), 1e-5f);
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        Tensor x = Tensor.of(new float[]{1000, 1001, 1002});
        float[] p = x.softmax(0).toArray();
        assertEquals(1f, p[0] + p[1] + p[2], 1e-6f);
        assertEquals(0.66524096f, p[2], 1e-6f);
        assertEquals(-0.40760596f, x.logSoftmax(0).get(2), 1e-5f);
    }

    @Test
    void matmulBatchedAndTransposed() {
        Tensor a = r(1, 2, 3, 4), b = r(2, 4, 5);
        Tensor c = a.matmul(b);
        assertArrayEquals(new int[]{2, 3, 5}, c.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 5; k++) {
                    double s = 0;
                    for (int p = 0; p < 4; p++) s += a.get(i, j, p) * b.get(p, k);
                    assertEquals(s, c.get(i, j, k), 1e-5);
                }
            }
        }
        Tensor m = r(3, 4, 3);
        assertArrayEquals(m.t().contiguous().matmul(m).toArray(), m.t().matmul(m).toArray(), 1e-5f);
        assertEquals(a.get(0, 0, 0) * a.get(0, 0, 0) + a.get(0, 0, 1) * a.get(0, 0, 1) + a.get(0, 0, 2) * a.get(0, 0, 2)
                + a.get(0, 0, 3) * a.get(0, 0, 3), a.select(0, 0).select(0, 0).matmul(a.select(0, 0).select(0, 0)).item(), 1e-5f);
    }

    @Test
    void indexingOps() {
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[]{3, 4}, a.gather(1, IntTensor.of(new int[]{2, 0}, 2, 1)).toArray());
        assertArrayEquals(new float[]{3, 1, 6, 4}, a.indexSelect(1, IntTensor.of(new int[]{2, 0})).toArray());
        assertArrayEquals(new float[]{0, 2, 0, 0, 5, 0}, a.maskedFill(Tensor.of(new float[]{1, 0, 1}), 0f).toArray());
        Tensor cat = Tensor.concat(List.of(a, a), 0);
        assertArrayEquals(new int[]{4, 3}, cat.shape());
        assertArrayEquals(new int[]{2, 2, 3}, Tensor.stack(List.of(a, a), 0).shape());
        assertEquals(2, a.split(2, 1).size());
        var top = Tensor.of(new float[]{3, 1, 4, 1, 5, 9}, 2, 3).topk(2, 1);
        assertArrayEquals(new float[]{4, 3, 9, 5}, top.values().toArray());
        assertArrayEquals(new int[]{2, 0, 2, 1}, top.indices().data());
        assertArrayEquals(new float[]{1, 2, 30, 40}, Tensor.where(Tensor.of(new float[]{1, 1, 0, 0}),
                Tensor.of(new float[]{1, 2, 3, 4}), Tensor.of(new float[]{10, 20, 30, 40})).toArray());
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("tensor([[0., 1., 2.],\n        [3., 4., 5.]])", Tensor.arange(6).reshape(2, 3).toString());
        assertEquals("tensor([0.5000, 1.2500])", Tensor.of(new float[]{0.5f, 1.25f}).toString());
        assertEquals("tensor([1., 2.], requires_grad=True)", Tensor.of(new float[]{1, 2}).requiresGrad(true).toString());
    }

    @Test
    void backwardAccumulatesAndNoGradRecordsNothing() {
        Tensor x = Tensor.of(new float[]{1, 2, 3}).requiresGrad(true);
        x.mul(x).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new float[]{4, 8, 12}, x.grad().toArray());
        try (var g = GradMode.noGrad()) {
            assertFalse(x.mul(2f).requiresGrad());
        }
        assertFalse(x.detach().requiresGrad());
        // leaves fed the same gradient object by add() must not share it across accumulations
        Tensor a = Tensor.zeros(3).requiresGrad(true), b = Tensor.zeros(3).requiresGrad(true);
        a.add(b).backward(Tensor.ones(3));
        a.add(b).backward(Tensor.ones(3));
        assertArrayEquals(new float[]{2, 2, 2}, a.grad().toArray());
        assertArrayEquals(new float[]{2, 2, 2}, b.grad().toArray());
        // a tensor used twice gets both contributions
        Tensor y = Tensor.of(new float[]{3}).requiresGrad(true);
        y.mul(y).add(y).sum().backward();
        assertEquals(7f, y.grad().item());
    }

    @Test
    void gradientsOfElementwiseOps() {
        GradCheck.check(t -> t[0].add(t[1]), r(1, 2, 3), r(2, 3));
        GradCheck.check(t -> t[0].sub(t[1]), r(1, 2, 3), r(2, 2, 1));
        GradCheck.check(t -> t[0].mul(t[1]), r(1, 2, 3), r(2, 3));
        GradCheck.check(t -> t[0].div(t[1]), r(1, 2, 3), r(2, 3).abs().add(0.5f).detach());
        GradCheck.check(t -> t[0].maximum(t[1]), rAwayFromZero(1, 4), rAwayFromZero(2, 4).mul(-1f).detach());
        GradCheck.check(t -> t[0].minimum(t[1]), rAwayFromZero(1, 4), rAwayFromZero(2, 4).mul(-1f).detach());
        GradCheck.check(t -> t[0].pow(t[1]), r(1, 3).abs().add(0.5f).detach(), r(2, 3));
        GradCheck.check(t -> t[0].pow(3f), r(1, 2, 3));
        GradCheck.check(t -> t[0].neg().mul(2f).add(1f), r(1, 5));
        GradCheck.check(t -> t[0].exp(), r(1, 5));
        GradCheck.check(t -> t[0].log(), r(1, 5).abs().add(0.5f).detach());
        GradCheck.check(t -> t[0].sqrt(), r(1, 5).abs().add(0.5f).detach());
        GradCheck.check(t -> t[0].abs(), rAwayFromZero(1, 5));
        GradCheck.check(t -> t[0].tanh(), r(1, 5));
        GradCheck.check(t -> t[0].sigmoid(), r(1, 5));
        GradCheck.check(t -> t[0].relu(), rAwayFromZero(1, 5));
        GradCheck.check(t -> t[0].leakyRelu(0.1f), rAwayFromZero(1, 5));
        GradCheck.check(t -> t[0].gelu(), r(1, 5));
        GradCheck.check(t -> t[0].silu(), r(1, 5));
        GradCheck.check(t -> t[0].sin().add(t[0].cos()), r(1, 5));
        GradCheck.check(t -> t[0].clamp(-0.5f, 0.5f), Tensor.of(new float[]{-1f, -0.3f, 0.2f, 0.9f}));
        GradCheck.check(t -> t[0].maskedFill(Tensor.of(new float[]{0, 1, 0}), 7f), r(1, 2, 3));
        GradCheck.check(t -> Tensor.where(Tensor.of(new float[]{0, 1, 1}), t[0], t[1]), r(1, 2, 3), r(2, 3));
    }

    @Test
    void gradientsOfReductionsViewsAndProducts() {
        GradCheck.check(t -> t[0].sum(), r(1, 2, 3));
        GradCheck.check(t -> t[0].sum(0, true), r(1, 2, 3));
        GradCheck.check(t -> t[0].mean(1), r(1, 2, 3, 2));
        GradCheck.check(t -> t[0].var(1), r(1, 2, 4));
        GradCheck.check(t -> t[0].max(1, false), r(1, 3, 4));
        GradCheck.check(t -> t[0].min(0, true), r(1, 3, 4));
        GradCheck.check(t -> t[0].logSumExp(-1, false), r(1, 3, 4));
        GradCheck.check(t -> t[0].softmax(1), r(1, 2, 3, 2));
        GradCheck.check(t -> t[0].logSoftmax(-1), r(1, 3, 4));
        GradCheck.check(t -> t[0].matmul(t[1]), r(1, 3, 4), r(2, 4, 2));
        GradCheck.check(t -> t[0].matmul(t[1]), r(1, 2, 3, 4), r(2, 4, 2));
        GradCheck.check(t -> t[0].matmul(t[1].t()), r(1, 3, 4), r(2, 2, 4));
        GradCheck.check(t -> t[0].matmul(t[1]), r(1, 4), r(2, 4));
        GradCheck.check(t -> t[0].reshape(3, 2).t().permute(1, 0).narrow(0, 1, 2), r(1, 2, 3));
        GradCheck.check(t -> t[0].unsqueeze(0).expand(4, 2, 3).squeeze(), r(1, 2, 3));
        GradCheck.check(t -> t[0].gather(1, IntTensor.of(new int[]{0, 2, 1, 1}, 2, 2)), r(1, 2, 3));
        GradCheck.check(t -> t[0].indexSelect(0, IntTensor.of(new int[]{1, 1, 0})), r(1, 2, 3));
        GradCheck.check(t -> Tensor.concat(List.of(t[0], t[1]), 1), r(1, 2, 3), r(2, 2, 2));
        GradCheck.check(t -> Tensor.stack(List.of(t[0], t[1]), 0), r(1, 2, 3), r(2, 2, 3));
        GradCheck.check(t -> t[0].split(2, 1).get(1), r(1, 2, 3));
        GradCheck.check(t -> t[0].t().contiguous().flatten(), r(1, 2, 3));
    }

    @Test
    void creationIsSeeded() {
        assertArrayEquals(Tensor.normal(new Rng(7), 0, 1, 10).toArray(), Tensor.normal(new Rng(7), 0, 1, 10).toArray());
        assertFalse(java.util.Arrays.equals(Tensor.normal(new Rng(7), 0, 1, 10).toArray(), Tensor.normal(new Rng(8), 0, 1, 10).toArray()),
                "another seed, other numbers");
        // And the numbers are standard normal: mean, spread and the share within one sigma (68.27%) of 100,000 draws.
        float[] draws = Tensor.normal(new Rng(7), 0, 1, 100_000).toArray();
        double sum = 0, squares = 0;
        int withinOne = 0;
        for (float v : draws) {
            sum += v;
            squares += (double) v * v;
            if (Math.abs(v) < 1) withinOne++;
        }
        assertEquals(0, sum / draws.length, 0.02);
        assertEquals(1, Math.sqrt(squares / draws.length), 0.02);
        assertEquals(0.6827, withinOne / (double) draws.length, 0.01);
        assertArrayEquals(new float[]{1, 0, 0, 1}, Tensor.eye(2).toArray());
        assertArrayEquals(new float[]{0, 0.5f, 1, 1.5f}, Tensor.arange(0, 2, 0.5f).toArray());
        float mean = Tensor.bernoulli(new Rng(1), 0.3f, 10000).mean().item();
        assertEquals(0.3f, mean, 0.02f);
    }
}
