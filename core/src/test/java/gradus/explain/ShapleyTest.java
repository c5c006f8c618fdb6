package gradus.explain;

import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

class ShapleyTest {
    /** f(x) = 2x0 + 3x1 x2 − x3 + 0.5 x0 x1 x2: additive parts and interactions shared equally. */
    private static final UnaryOperator<Tensor> F = t -> {
        int n = t.size(0);
        float[] v = t.toArray(), out = new float[n];
        int m = t.size(1);
        for (int i = 0; i < n; i++) {
            float[] r = java.util.Arrays.copyOfRange(v, i * m, i * m + m);
            out[i] = 2 * r[0] + 3 * r[1] * r[2] - r[3] + 0.5f * r[0] * r[1] * r[2];
        }
        return Tensor.of(out, n, 1);
    };

    @Test
    void exactShapleyOfAKnownFunctionWithAZeroBaseline() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5});
        var game = CoalitionGame.tabular(F, x, Tensor.zeros(1, 5), 0);
        ShapleyValues s = ExactShapley.of(game, 5);
        // additive terms go to their feature; a k-way product is split equally among its k features
        assertArrayEquals(new double[]{2 + 1, 9 + 1, 9 + 1, -4, 0}, s.values(), 1e-6);
        assertEquals(0, s.base(), 1e-9);
        assertEquals(2 + 18 - 4 + 3, s.full(), 1e-5);
        assertEquals(0, s.efficiencyGap(), 1e-9);
    }

    @Test
    void kernelShapWithEveryCoalitionEqualsExactShapley() {
        var rng = new gradus.tensor.Rng(3);
        Tensor x = Tensor.uniform(rng, -1, 1, 7);
        Tensor background = Tensor.uniform(rng, -1, 1, 10, 7);
        UnaryOperator<Tensor> f = t -> t.narrow(1, 0, 4).mul(t.narrow(1, 3, 4)).sum(1, true).tanh().add(t.narrow(1, 6, 1));
        var game = CoalitionGame.tabular(f, x, background, 0);
        ShapleyValues exact = ExactShapley.of(game, 7);
        ShapleyValues kernel = KernelShap.of(game, 7, 1 << 7, 0);
        assertArrayEquals(exact.values(), kernel.values(), 1e-6);
        assertEquals(0, kernel.efficiencyGap(), 1e-6);
        assertEquals(0, exact.efficiencyGap(), 1e-6);
    }

    @Test
    void sampledKernelShapConvergesToExactAndKeepsEfficiency() {
        var rng = new gradus.tensor.Rng(5);
        int m = 10;
        Tensor x = Tensor.uniform(rng, -1, 1, m);
        Tensor background = Tensor.uniform(rng, -1, 1, 5, m);
        Tensor w = Tensor.uniform(rng, -1, 1, m, 1);
        UnaryOperator<Tensor> f = t -> t.matmul(w).sigmoid().mul(t.narrow(1, 0, 1).add(1f));
        var game = CoalitionGame.tabular(f, x, background, 0);
        double[] exact = ExactShapley.of(game, m).values();
        double previous = Double.MAX_VALUE;
        for (int budget : new int[]{40, 200, 1000}) {
            double err = 0;
            for (int seed = 0; seed < 4; seed++) {
                ShapleyValues k = KernelShap.of(game, m, budget, seed);
                assertEquals(0, k.efficiencyGap(), 1e-6, "efficiency at budget " + budget);
                for (int j = 0; j < m; j++) err += Math.pow(k.values()[j] - exact[j], 2) / 4;
            }
            assertTrue(err < previous, "squared error " + err + " at " + budget + " coalitions, was " + previous);
            previous = err;
        }
        double scale = 0;
        for (double e : exact) scale += e * e;
        assertTrue(previous < 0.01 * scale, "error " + previous + " vs ‖φ‖² " + scale);
    }

    @Test
    void permutationImportanceFindsTheFeatureTheModelUses() {
        var rng = new gradus.tensor.Rng(1);
        Tensor x = Tensor.uniform(rng, -1, 1, 300, 3);
        float[] v = x.toArray();
        int[] labels = new int[300];
        for (int i = 0; i < 300; i++) labels[i] = v[i * 3 + 1] > 0 ? 1 : 0;
        UnaryOperator<Tensor> model = t -> Tensor.concat(java.util.List.of(t.narrow(1, 1, 1).neg(), t.narrow(1, 1, 1)), 1);
        var r = PermutationImportance.classification(model, x, labels, 5, 0);
        assertEquals(1.0, r.baseline());
        assertEquals(0, r.mean()[0], 1e-12);
        assertEquals(0, r.mean()[2], 1e-12);
        assertEquals(0.5, r.mean()[1], 0.1); // a shuffled sign guesses right half the time
        assertTrue(r.std()[1] > 0);
    }

    @Test
    void limitsAreExplained() {
        var e = assertThrows(IllegalArgumentException.class, () -> ExactShapley.of(c -> new double[c.length], 13));
        assertTrue(e.getMessage().contains("KernelSHAP"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CoalitionGame.tabular(F, Tensor.zeros(5), Tensor.zeros(3, 4), 0));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("5 features"), e.getMessage());
    }
}
