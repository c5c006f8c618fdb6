package gradus.nn;

import gradus.GradCheck;
import gradus.autograd.GradMode;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Multi-head attention, positional encodings and Transformer blocks beyond the layer contract. */
class TransformerTest {
    private static Tensor normal(long seed, int... shape) {
        return Tensor.normal(new Rng(seed), 0f, 1f, shape);
    }

    @Test
    void crossAttentionWithPaddingDifferentiates() {
        Rng.manualSeed(1);
        MultiHeadAttention mha = new MultiHeadAttention(4, 2);
        Tensor q = normal(2, 2, 3, 4), mem = normal(3, 2, 5, 4);
        assertArrayEquals(new int[]{2, 3, 4}, mha.forward(q, mem, KeyPadding.lengths(5, 2)).shape());
        GradCheck.check(t -> mha.forward(t[0], t[1], KeyPadding.lengths(5, 2)), q, mem);
        // Padded memory positions change nothing.
        Tensor changed = mem.detach().copyTensor();
        changed.narrow(1, 2, 3).select(0, 1).fill(9f);
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(mha.forward(q, mem, KeyPadding.lengths(5, 2)).narrow(0, 1, 1).toArray(),
                    mha.forward(q, changed, KeyPadding.lengths(5, 2)).narrow(0, 1, 1).toArray(), 1e-6f);
        }
    }

    @Test
    void causalSelfAttentionIgnoresTheFuture() {
        Rng.manualSeed(4);
        MultiHeadAttention mha = new MultiHeadAttention(6, 3);
        Tensor x = normal(5, 1, 4, 6), y = x.copyTensor().detach();
        y.narrow(1, 3, 1).fill(5f);
        Tensor a = mha.predict(x), b;
        try (var g = GradMode.noGrad()) {
            a = mha.forward(x, true);
            b = mha.forward(y, true);
        }
        assertArrayEquals(a.narrow(1, 0, 3).toArray(), b.narrow(1, 0, 3).toArray(), 1e-6f);
        assertFalse(java.util.Arrays.equals(a.narrow(1, 3, 1).toArray(), b.narrow(1, 3, 1).toArray()));
    }

    @Test
    void attentionWeightsOnRequestAverageToRowsOfOne() {
        Rng.manualSeed(6);
        MultiHeadAttention mha = new MultiHeadAttention(4, 2);
        Tensor x = normal(7, 2, 3, 4);
        var r = mha.attend(x, x, x, true, null, null, true);
        assertArrayEquals(new int[]{2, 2, 3, 3}, r.weights().shape());
        float[] rowSums = r.weights().sum(-1, false).toArray();
        for (float s : rowSums) assertEquals(1f, s, 1e-6f);
        assertEquals(0f, r.weights().get(0, 0, 0, 1));
        assertArrayEquals(mha.forward(x, true).toArray(), r.output().toArray(), 1e-6f);
    }

    /** Feeding tokens one or two at a time through the cache equals one causal pass over all of them. */
    @Test
    void kvCacheMatchesTheFullCausalPass() {
        for (boolean rotary : new boolean[]{false, true}) {
            Rng.manualSeed(8);
            TransformerDecoderBlock block = new TransformerDecoderBlock(8, 2, 16, 0f, true, 1e-5f, false, rotary);
            Tensor x = normal(9, 2, 5, 8);
            try (var g = GradMode.noGrad()) {
                Tensor full = block.forward(x);
                KVCache cache = new KVCache(1, 6);
                Tensor first = block.forward(x.narrow(1, 0, 2), null, null, cache.layer(0));
                Tensor second = block.forward(x.narrow(1, 2, 1), null, null, cache.layer(0));
                Tensor third = block.forward(x.narrow(1, 3, 2), null, null, cache.layer(0));
                assertEquals(5, cache.length());
                Tensor stepped = Tensor.concat(List.of(first, second, third), 1);
                assertArrayEquals(full.toArray(), stepped.toArray(), 1e-5f, "rotary=" + rotary);
                var full6 = assertThrows(IllegalStateException.class, () -> block.forward(x.narrow(1, 0, 2), null, null, cache.layer(0)));
                assertTrue(full6.getMessage().contains("capacity of 6"), full6.getMessage());
                cache.clear();
                assertArrayEquals(full.narrow(1, 0, 2).toArray(), block.forward(x.narrow(1, 0, 2), null, null, cache.layer(0)).toArray(), 1e-5f);
            }
        }
    }

    @Test
    void rotaryDotProductsDependOnDistanceOnly() {
        RotaryEmbedding rope = new RotaryEmbedding(4);
        Tensor q = normal(10, 1, 1, 1, 4), k = normal(11, 1, 1, 1, 4);
        float a = rope.forward(q, 3).mul(rope.forward(k, 1)).sum().item();
        float b = rope.forward(q, 10).mul(rope.forward(k, 8)).sum().item();
        assertEquals(a, b, 1e-5f);
        assertArrayEquals(q.toArray(), rope.forward(q, 0).toArray(), 1e-7f, "position 0 is not rotated");
        Tensor seq = normal(12, 2, 2, 5, 4);
        assertArrayEquals(rope.forward(seq).narrow(2, 3, 2).toArray(), rope.forward(seq.narrow(2, 3, 2), 3).toArray(), 1e-6f);
        GradCheck.check(t -> rope.forward(t[0], 2), normal(13, 1, 2, 3, 4));
        // Position 1, pair (x0, x2) at angle 1 rad.
        Tensor one = rope.forward(Tensor.of(new float[]{1, 0, 0, 0}, 1, 1, 1, 4), 1);
        assertArrayEquals(new float[]{(float) Math.cos(1), 0, (float) Math.sin(1), 0}, one.toArray(), 1e-6f);
    }

    @Test
    void sinusoidalTableAndOffsets() {
        SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(10, 4);
        Tensor t = pe.table();
        assertEquals((float) Math.sin(3), t.get(3, 0), 1e-6f);
        assertEquals((float) Math.cos(3), t.get(3, 1), 1e-6f);
        assertEquals((float) Math.sin(3 / 100.0), t.get(3, 2), 1e-6f);
        assertEquals((float) Math.cos(3 / 100.0), t.get(3, 3), 1e-6f);
        Tensor x = normal(14, 2, 3, 4);
        assertArrayEquals(x.add(t.narrow(0, 4, 3)).toArray(), pe.forward(x, 4).toArray(), 1e-7f);
        GradCheck.check(u -> pe.forward(u[0], 2), x);
        var e = assertThrows(IllegalArgumentException.class, () -> pe.forward(x, 8));
        assertTrue(e.getMessage().contains("10 positions") && e.getMessage().contains("offset 8"), e.getMessage());
        LearnedPositionalEmbedding lpe = new LearnedPositionalEmbedding(10, 4);
        GradCheck.checkFloat32(u -> lpe.forward(u[0], 5), x, lpe.weight());
        var bad = assertThrows(IllegalArgumentException.class, () -> lpe.forward(normal(1, 2, 3, 5)));
        assertTrue(bad.getMessage().contains("[2, 3, 5]"), bad.getMessage());
    }

    @Test
    void decoderWithCrossAttentionDifferentiatesAndNamesItsParts() {
        for (boolean normFirst : new boolean[]{true, false}) {
            Rng.manualSeed(15);
            TransformerDecoderBlock block = new TransformerDecoderBlock(4, 2, 8, 0f, normFirst, 1e-5f, true, false);
            Tensor x = normal(16, 2, 3, 4), mem = normal(17, 2, 4, 4);
            GradCheck.check(t -> block.forward(t[0], t[1], KeyPadding.lengths(4, 2), null), x, mem);
            assertTrue(block.stateDict().keySet().containsAll(List.of("self_attn.q_proj.weight", "cross_attn.out_proj.bias", "norm3.weight",
                    "linear1.weight", "linear2.bias")), block.stateDict().keySet().toString());
            var e = assertThrows(IllegalArgumentException.class, () -> block.forward(x));
            assertTrue(e.getMessage().contains("memory"), e.getMessage());
        }
        assertEquals(List.of("self_attn", "norm1", "linear1", "linear2", "norm2"),
                List.copyOf(new TransformerEncoderBlock(4, 2).children().keySet()));
    }

    @Test
    void postLnEncoderWithPaddingDifferentiates() {
        Rng.manualSeed(18);
        TransformerEncoderBlock block = new TransformerEncoderBlock(4, 2, 8, 0f, false, 1e-12f, false);
        List<Tensor> vars = new java.util.ArrayList<>(List.of(normal(19, 2, 3, 4)));
        vars.addAll(block.parameters());
        GradCheck.checkFloat32(t -> block.forward(t[0], KeyPadding.lengths(3, 2)), vars.toArray(new Tensor[0]));
    }

    @Test
    void dropoutOnlyInTraining() {
        Rng.manualSeed(20);
        TransformerEncoderBlock block = new TransformerEncoderBlock(8, 2, 16, 0.5f, true, 1e-5f, false);
        Tensor x = normal(21, 2, 4, 8);
        Tensor a = block.forward(x), b = block.forward(x);
        assertFalse(java.util.Arrays.equals(a.toArray(), b.toArray()), "fresh dropout masks in training");
        block.eval();
        assertArrayEquals(block.forward(x).toArray(), block.forward(x).toArray());
    }

    @Test
    void badShapesAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(6, 4));
        assertTrue(e.getMessage().contains("6") && e.getMessage().contains("4"), e.getMessage());
        var x = assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(4, 2).forward(Tensor.zeros(2, 3, 5)));
        assertTrue(x.getMessage().contains("[2, 3, 5]"), x.getMessage());
    }
}
