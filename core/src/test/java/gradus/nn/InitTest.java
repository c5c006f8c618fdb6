package gradus.nn;

import gradus.nn.init.Init;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class InitTest {
    private static Float[] boxed(float[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    private static double std(Tensor t) {
        float[] v = t.toArray();
        double m = 0, s = 0;
        for (float x : v) m += x;
        m /= v.length;
        for (float x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / v.length);
    }

    private static void bounded(Tensor t, double bound) {
        double max = 0;
        for (float x : t.toArray()) max = Math.max(max, Math.abs(x));
        assertTrue(max <= bound, "max |w| " + max + " exceeds " + bound);
        assertTrue(max > 0.98 * bound, "max |w| " + max + " does not reach towards " + bound);
    }

    @Test
    void fansFollowPyTorch() {
        assertEquals(3 * 5 * 5, Init.fanIn(new int[]{64, 3, 5, 5}));
        assertEquals(64 * 5 * 5, Init.fanOut(new int[]{64, 3, 5, 5}));
        assertEquals(20, Init.fanIn(new int[]{10, 20}));
        assertEquals(10, Init.fanOut(new int[]{10, 20}));
        var e = assertThrows(IllegalArgumentException.class, () -> Init.fanIn(new int[]{7}));
        assertTrue(e.getMessage().contains("[7]"), e.getMessage());
    }

    @Test
    void gains() {
        assertEquals(1.0, Init.gain("linear", 0), 1e-12);
        assertEquals(Math.sqrt(2), Init.gain("relu", 0), 1e-12);
        assertEquals(5.0 / 3, Init.gain("tanh", 0), 1e-12);
        assertEquals(Math.sqrt(2 / 1.04), Init.gain("leaky_relu", 0.2f), 1e-6);
        var e = assertThrows(IllegalArgumentException.class, () -> Init.gain("swish", 0));
        assertTrue(e.getMessage().contains("swish") && e.getMessage().contains("relu"), e.getMessage());
    }

    @Test
    void empiricalSpreads() {
        Rng.manualSeed(3);
        int[] shape = {200, 100, 3, 3}; // fan_in 900, fan_out 1800
        double fanIn = 900, fanOut = 1800;

        bounded(Init.xavierUniform(Tensor.zeros(shape), 2f), 2 * Math.sqrt(6 / (fanIn + fanOut)));
        assertEquals(2 * Math.sqrt(2 / (fanIn + fanOut)), std(Init.xavierNormal(Tensor.zeros(shape), 2f)), 0.01 * 2 * Math.sqrt(2 / (fanIn + fanOut)));

        bounded(Init.kaimingUniform(Tensor.zeros(shape)), Math.sqrt(2) * Math.sqrt(3 / fanIn));
        bounded(Init.kaimingUniform(Tensor.zeros(shape), 0f, Init.Fan.OUT, "relu"), Math.sqrt(2) * Math.sqrt(3 / fanOut));
        assertEquals(Math.sqrt(2 / fanIn), std(Init.kaimingNormal(Tensor.zeros(shape))), 0.01 * Math.sqrt(2 / fanIn));
        assertEquals(1 / Math.sqrt(fanOut), std(Init.kaimingNormal(Tensor.zeros(shape), 0f, Init.Fan.OUT, "linear")), 0.01 / Math.sqrt(fanOut));

        Tensor u = Init.uniform(Tensor.zeros(100, 100), 2f, 5f);
        assertTrue(u.min().item() >= 2f && u.max().item() < 5f);
        assertEquals(3 / Math.sqrt(12), std(u), 0.02);
        Tensor n = Init.normal(Tensor.zeros(100, 100), 1f, 0.5f);
        assertEquals(1.0, n.mean().item(), 0.02);
        assertEquals(0.5, std(n), 0.01);

        assertArrayEquals(new float[]{0, 0}, Init.zeros(Tensor.ones(2)).toArray());
        assertArrayEquals(new float[]{1, 1}, Init.ones(Tensor.zeros(2)).toArray());
        assertArrayEquals(new float[]{2.5f, 2.5f}, Init.constant(Tensor.zeros(2), 2.5f).toArray());
    }

    @Test
    void initializersFillViewsInPlace() {
        Tensor w = Tensor.zeros(4, 6);
        Tensor view = w.t();
        assertSame(view, Init.ones(view));
        assertArrayEquals(Tensor.ones(4, 6).toArray(), w.toArray());
    }

    @Test
    void conv2dDefaultInitIsUniformOverOneOverSqrtFanIn() {
        Rng.manualSeed(4);
        Conv2d conv = new Conv2d(16, 64, 3);
        double bound = 1 / Math.sqrt(16 * 9);
        bounded(conv.weight(), bound);
        assertEquals(bound / Math.sqrt(3), std(conv.weight()), 0.03 * bound);
        for (float b : conv.bias().toArray()) assertTrue(Math.abs(b) <= bound);
    }

    @Test
    void seededInitIsReproducible() {
        Rng.manualSeed(5);
        float[] a = new Conv2d(2, 3, 3).weight().toArray();
        Rng.manualSeed(5);
        assertArrayEquals(a, new Conv2d(2, 3, 3).weight().toArray());
        Rng.manualSeed(6);
        float[] other = new Conv2d(2, 3, 3).weight().toArray();
        assertFalse(java.util.Arrays.equals(a, other), "another seed, other weights");
        assertEquals(a.length, java.util.Arrays.stream(boxed(a)).distinct().count(), "54 distinct draws, not a constant");
    }
}
