package gradus.nn;

import gradus.GradCheck;
import gradus.autograd.GradMode;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The fused attention operation against plain tensor arithmetic, its gradients, masks and dropout. */
class AttentionTest {
    private static Tensor normal(long seed, int... shape) {
        return Tensor.normal(new Rng(seed), 0f, 1f, shape);
    }

    /** softmax(q·kᵀ/√d with hidden[b, i, j] → −∞)·v from ordinary tensor operations. */
    private static Tensor reference(Tensor q, Tensor k, Tensor v, boolean[][][] hidden) {
        int b = q.size(0), tq = q.size(2), tk = k.size(2);
        Tensor s = q.matmul(k.transpose(-1, -2)).mul((float) (1 / Math.sqrt(q.size(3))));
        float[] m = new float[b * tq * tk];
        for (int bi = 0; bi < b; bi++) for (int i = 0; i < tq; i++) for (int j = 0; j < tk; j++) m[(bi * tq + i) * tk + j] = hidden[bi][i][j] ? 1 : 0;
        Tensor mask = Tensor.of(m, b, 1, tq, tk);
        return s.maskedFill(mask, Float.NEGATIVE_INFINITY).softmax(-1).matmul(v);
    }

    private static boolean[][][] hidden(int b, int tq, int tk, boolean causal, int[] lengths) {
        boolean[][][] h = new boolean[b][tq][tk];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) h[bi][i][j] = (causal && j > i + tk - tq) || (lengths != null && j >= lengths[bi]);
            }
        }
        return h;
    }

    @Test
    void matchesPlainArithmeticWithAndWithoutMasks() {
        Tensor q = normal(1, 2, 3, 4, 5), k = normal(2, 2, 3, 6, 5), v = normal(3, 2, 3, 6, 2);
        int[] lengths = {6, 3};
        assertArrayEquals(reference(q, k, v, hidden(2, 4, 6, false, null)).toArray(), F.scaledDotProductAttention(q, k, v, false, null).toArray(), 1e-5f);
        assertArrayEquals(reference(q, k, v, hidden(2, 4, 6, true, null)).toArray(), F.scaledDotProductAttention(q, k, v, true, null).toArray(), 1e-5f);
        Tensor expected = reference(q, k, v, hidden(2, 4, 6, true, lengths));
        assertArrayEquals(expected.toArray(), F.scaledDotProductAttention(q, k, v, true, KeyPadding.lengths(lengths)).toArray(), 1e-5f);
        Tensor keep = Tensor.of(new float[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, 2, 6);
        assertArrayEquals(expected.toArray(), F.scaledDotProductAttention(q, k, v, true, KeyPadding.keep(keep)).toArray(), 1e-5f);
        Tensor ignore = keep.neg().add(1f);
        assertArrayEquals(expected.toArray(), F.scaledDotProductAttention(q, k, v, true, KeyPadding.ignore(ignore)).toArray(), 1e-5f);
    }

    @Test
    void inferenceWithoutStoredWeightsGivesTheSameBitsAsTraining() {
        // Partial row blocks (7 queries), keys over several panels (37), two value panels (20), cached keys (tq < tk).
        Tensor q = normal(11, 2, 3, 7, 5), k = normal(12, 2, 3, 37, 5), v = normal(13, 2, 3, 37, 20);
        int[] lengths = {37, 30};
        for (boolean causal : new boolean[]{false, true}) {
            Tensor fused = F.scaledDotProductAttention(q, k, v, causal, KeyPadding.lengths(lengths)); // no graph: P is not kept
            Tensor kept = F.scaledDotProductAttention(q.detach().requiresGrad(true), k, v, causal, KeyPadding.lengths(lengths));
            assertArrayEquals(kept.toArray(), fused.toArray(), 0f);
            assertArrayEquals(reference(q, k, v, hidden(2, 7, 37, causal, lengths)).toArray(), fused.toArray(), 1e-5f);
        }
    }

    @Test
    void weightsOnRequestAreTheSoftmaxRows() {
        Tensor q = normal(4, 1, 2, 3, 4), k = normal(5, 1, 2, 3, 4), v = normal(6, 1, 2, 3, 4);
        var r = ScaledDotProductAttention.apply(q, k, v, true, null, 0f, null, true);
        Tensor w = q.matmul(k.transpose(-1, -2)).mul(0.5f).maskedFill(Tensor.of(new float[]{0, 1, 1, 0, 0, 1, 0, 0, 0}, 3, 3), Float.NEGATIVE_INFINITY).softmax(-1);
        assertArrayEquals(w.toArray(), r.weights().toArray(), 1e-6f);
        assertArrayEquals(new int[]{1, 2, 3, 3}, r.weights().shape());
        assertNull(ScaledDotProductAttention.apply(q, k, v, true, null, 0f, null, false).weights());
    }

    @Test
    void rowsThatSeeNoKeyGiveZeros() {
        Tensor q = normal(7, 2, 1, 2, 4), k = normal(8, 2, 1, 3, 4), v = normal(9, 2, 1, 3, 4);
        Tensor y = F.scaledDotProductAttention(q, k, v, false, KeyPadding.lengths(3, 0));
        float[] out = y.toArray();
        for (int i = 8; i < 16; i++) assertEquals(0f, out[i]);
        assertFalse(Float.isNaN(out[0]));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // Non-contiguous inputs too: q as a head split of a [B, T, H·d] tensor, k transposed twice.
        GradCheck.check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], false, null), normal(10, 2, 2, 3, 4), normal(11, 2, 2, 5, 4), normal(12, 2, 2, 5, 3));
        GradCheck.check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], true, null), normal(13, 1, 2, 4, 3), normal(14, 1, 2, 4, 3), normal(15, 1, 2, 4, 3));
        GradCheck.check(t -> F.scaledDotProductAttention(t[0], t[1], t[2], true, KeyPadding.lengths(2, 5)),
                normal(16, 2, 1, 3, 4), normal(17, 2, 1, 5, 4), normal(18, 2, 1, 5, 2));
        GradCheck.check(t -> F.scaledDotProductAttention(t[0].view(2, 3, 2, 2).transpose(1, 2), t[1].transpose(2, 3).transpose(2, 3), t[2], false,
                KeyPadding.lengths(3, 1)), normal(19, 2, 3, 4), normal(20, 2, 2, 3, 2), normal(21, 2, 2, 3, 2));
    }

    @Test
    void packedProjectionGivesWhatItsHeadViewsGive() {
        // [B=2, T=5, 3·H·d] with H = 2 heads of d = 3; the second row has 3 real tokens.
        Tensor viaViews = normal(30, 2, 5, 18).requiresGrad(true), packed = viaViews.detach().requiresGrad(true);
        Tensor g = normal(31, 2, 2, 5, 3);
        Tensor split = viaViews.view(2, 5, 3, 2, 3);
        Tensor expected = ScaledDotProductAttention.apply(split.select(2, 0).transpose(1, 2), split.select(2, 1).transpose(1, 2),
                split.select(2, 2).transpose(1, 2), true, KeyPadding.lengths(5, 3), 0f, null, false).output();
        Tensor actual = ScaledDotProductAttention.packed(packed, 2, true, KeyPadding.lengths(5, 3), 0f, null, false).output();
        assertArrayEquals(expected.toArray(), actual.toArray(), 0f);
        expected.mul(g).sum().backward();
        actual.mul(g).sum().backward();
        assertArrayEquals(viaViews.grad().toArray(), packed.grad().toArray(), 0f);
        GradCheck.check(t -> ScaledDotProductAttention.packed(t[0], 2, true, KeyPadding.lengths(5, 3), 0f, null, false).output(), normal(32, 2, 5, 18));
        assertThrows(IllegalArgumentException.class, () -> ScaledDotProductAttention.packed(normal(33, 2, 5, 16), 2, false, null, 0f, null, false));
    }

    @Test
    void dropoutScalesKeptWeightsAndDifferentiates() {
        Tensor q = normal(22, 1, 1, 3, 4), k = normal(23, 1, 1, 3, 4), v = normal(24, 1, 1, 3, 4);
        // A fixed generator per call: the same mask on every evaluation, as finite differences need.
        GradCheck.check(t -> ScaledDotProductAttention.apply(t[0], t[1], t[2], false, null, 0.3f, new Rng(5), false).output(), q, k, v);
        var r = ScaledDotProductAttention.apply(q, k, v, false, null, 0.5f, new Rng(5), true);
        float[] mask = new float[9];
        new Rng(5).uniform(mask, 0f, 1f);
        float[] w = r.weights().toArray();
        for (int i = 0; i < 9; i++) w[i] *= mask[i] < 0.5f ? 0f : 2f;
        Tensor expected = Tensor.of(w, 1, 1, 3, 3).matmul(v);
        assertArrayEquals(expected.toArray(), r.output().toArray(), 1e-5f);
    }

    @Test
    void inferenceKeepsNoGraph() {
        Tensor q = normal(25, 1, 1, 2, 2).requiresGrad(true);
        try (var g = GradMode.noGrad()) {
            assertFalse(F.scaledDotProductAttention(q, q, q, true, null).requiresGrad());
        }
        assertTrue(F.scaledDotProductAttention(q, q, q, true, null).requiresGrad());
    }

    @Test
    void badShapesAndMasksAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> F.scaledDotProductAttention(normal(1, 1, 2, 3, 4), normal(1, 1, 2, 3, 5), normal(1, 1, 2, 3, 4), false, null));
        assertTrue(e.getMessage().contains("[1, 2, 3, 4]") && e.getMessage().contains("[1, 2, 3, 5]"), e.getMessage());
        var m = assertThrows(IllegalArgumentException.class, () -> F.scaledDotProductAttention(normal(1, 2, 1, 3, 4), normal(1, 2, 1, 3, 4), normal(1, 2, 1, 3, 4), false,
                KeyPadding.keep(Tensor.ones(2, 4))));
        assertTrue(m.getMessage().contains("4 keys") && m.getMessage().contains("3"), m.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyPadding.keep(Tensor.of(new float[]{0.5f, 1}, 1, 2)));
        var l = assertThrows(IllegalArgumentException.class, () -> F.scaledDotProductAttention(normal(1, 1, 1, 3, 4), normal(1, 1, 1, 3, 4), normal(1, 1, 1, 3, 4), false,
                KeyPadding.lengths(5)));
        assertTrue(l.getMessage().contains("5"), l.getMessage());
    }
}
