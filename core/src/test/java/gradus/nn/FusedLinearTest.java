package gradus.nn;

import gradus.GradCheck;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** F.linear's single fused node against its definition x·Wᵀ + b, and its gradients against finite differences. */
class FusedLinearTest {
    private final Rng rng = new Rng(5);

    @Test
    void matchesMatmulPlusBias() {
        Tensor x = Tensor.normal(rng, 0f, 1f, 2, 3, 7), w = Tensor.normal(rng, 0f, 1f, 5, 7), b = Tensor.normal(rng, 0f, 1f, 5);
        Tensor got = F.linear(x, w, b), want = x.matmul(w.t()).add(b);
        assertArrayEquals(new int[]{2, 3, 5}, got.shape());
        assertArrayEquals(want.toArray(), got.toArray(), 1e-5f);
        assertArrayEquals(x.matmul(w.t()).toArray(), F.linear(x, w, null).toArray(), 1e-5f);
        // A non-contiguous input (a transposed view) gives the same as its contiguous copy.
        Tensor xt = Tensor.normal(rng, 0f, 1f, 7, 4).t();
        assertArrayEquals(F.linear(xt.contiguous(), w, b).toArray(), F.linear(xt, w, b).toArray(), 1e-6f);
    }

    @Test
    void gradients() {
        GradCheck.check(t -> F.linear(t[0], t[1], t[2]),
                Tensor.normal(rng, 0f, 1f, 4, 6), Tensor.normal(rng, 0f, 1f, 3, 6), Tensor.normal(rng, 0f, 1f, 3));
        GradCheck.check(t -> F.linear(t[0], t[1], null), Tensor.normal(rng, 0f, 1f, 2, 2, 5), Tensor.normal(rng, 0f, 1f, 4, 5));
        GradCheck.check(t -> F.linear(t[0].t(), t[1], t[2]),
                Tensor.normal(rng, 0f, 1f, 6, 3), Tensor.normal(rng, 0f, 1f, 2, 6), Tensor.normal(rng, 0f, 1f, 2));
    }

    @Test
    void onlyRequestedGradientsAreComputed() {
        Tensor x = Tensor.normal(rng, 0f, 1f, 4, 6), w = Tensor.normal(rng, 0f, 1f, 3, 6).requiresGrad(true);
        F.linear(x, w, null).sum().backward();
        assertNull(x.grad());
        assertArrayEquals(new int[]{3, 6}, w.grad().shape());
    }

    @Test
    void badShapesNameBoth() {
        Tensor w = Tensor.zeros(3, 6);
        var e = assertThrows(IllegalArgumentException.class, () -> F.linear(Tensor.zeros(4, 5), w, null));
        assertEquals("linear with weight of shape [3, 6] expects input [..., 6], got shape [4, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.linear(Tensor.zeros(4, 6), w, Tensor.zeros(4)));
        assertEquals("linear bias must have shape [3], got [4]", e.getMessage());
    }
}
