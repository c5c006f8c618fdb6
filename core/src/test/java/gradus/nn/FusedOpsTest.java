package gradus.nn;

import gradus.GradCheck;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The vectorized GELU and the single-GEMM linear against the plain operations they replace. */
class FusedOpsTest {
    @Test
    void geluMatchesTheErfForm() {
        Tensor x = Tensor.arange(-12f, 12f, 0.01f).requiresGrad(true);
        Tensor fast = F.gelu(x), plain = x.gelu();
        assertArrayEquals(plain.toArray(), fast.toArray(), 3e-6f);
        Tensor w = Tensor.normal(new Rng(1), 0f, 1f, x.shape());
        fast.mul(w).sum().backward();
        float[] gFast = x.grad().toArray();
        x.zeroGrad();
        plain.mul(w).sum().backward();
        assertArrayEquals(x.grad().toArray(), gFast, 1e-5f);
        GradCheck.check(t -> F.gelu(t[0]), Tensor.normal(new Rng(2), 0f, 2f, 3, 7));
    }

    @Test
    void linearMatchesMatmulPlusBias() {
        Tensor x = Tensor.normal(new Rng(3), 0f, 1f, 2, 3, 5), w = Tensor.normal(new Rng(4), 0f, 1f, 4, 5), b = Tensor.normal(new Rng(5), 0f, 1f, 4);
        assertArrayEquals(F.linear(x, w, b).toArray(), FusedLinear.apply(x, w, b).toArray(), 1e-5f);
        assertArrayEquals(F.linear(x, w, null).toArray(), FusedLinear.apply(x, w, null).toArray(), 1e-5f);
        GradCheck.check(t -> FusedLinear.apply(t[0], t[1], t[2]), x, w, b);
        GradCheck.check(t -> FusedLinear.apply(t[0].transpose(0, 1), t[1], null), Tensor.normal(new Rng(6), 0f, 1f, 3, 2, 5), w);
        Tensor w2 = Tensor.normal(new Rng(7), 0f, 1f, 3, 5), b2 = Tensor.normal(new Rng(8), 0f, 1f, 3);
        Tensor both = FusedLinear.stacked(x, java.util.List.of(w, w2), java.util.List.of(b, b2.narrow(0, 0, 3)));
        assertArrayEquals(Tensor.concat(java.util.List.of(F.linear(x, w, b), F.linear(x, w2, b2)), 2).toArray(), both.toArray(), 1e-5f);
        GradCheck.check(t -> FusedLinear.stacked(t[0], java.util.List.of(t[1], t[2]), java.util.List.of(t[3], t[4])), x, w, w2, b, b2);
        var e = assertThrows(IllegalArgumentException.class, () -> FusedLinear.apply(Tensor.zeros(2, 6), w, b));
        assertTrue(e.getMessage().contains("[2, 6]") && e.getMessage().contains("[4, 5]"), e.getMessage());
    }
}
