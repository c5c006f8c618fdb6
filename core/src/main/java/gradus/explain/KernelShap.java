package gradus.explain;

import gradus.tensor.Rng;

/**
 * KernelSHAP (Lundberg and Lee 2017): Shapley values as the weighted least-squares fit of v(z) ≈ φ₀ + z·φ over
 * coalitions z, with the Shapley kernel π(z) = (M − 1) / (C(M, |z|) · |z| · (M − |z|)) and the efficiency
 * constraint Σφ = v(all) − v(none) imposed exactly (one coefficient eliminated). When the budget covers every
 * coalition they are enumerated and the result is the exact Shapley values; otherwise coalition sizes are drawn
 * in proportion to the kernel's total weight per size, each with its complement (paired sampling), and weighted
 * equally. Seeded.
 */
public final class KernelShap {
    private KernelShap() {}

    /** @param coalitions how many coalitions to score (besides the empty and the full one) */
    public static ShapleyValues of(CoalitionGame game, int features, int coalitions, long seed) {
        if (features < 1) throw new IllegalArgumentException("KernelSHAP needs at least one feature");
        if (coalitions < 2 && features > 1) throw new IllegalArgumentException("KernelSHAP needs at least 2 coalitions, got " + coalitions);
        int m = features;
        double[] ends = game.values(new boolean[][]{new boolean[m], filled(m)});
        double base = ends[0], full = ends[1];
        if (m == 1) return new ShapleyValues(new double[]{full - base}, base, full);
        boolean[][] z;
        double[] w;
        boolean enumerate = m < 31 && coalitions >= (1L << m) - 2;
        if (enumerate) {
            int count = (1 << m) - 2;
            z = new boolean[count][];
            w = new double[count];
            for (int s = 1; s <= count; s++) {
                z[s - 1] = ExactShapley.mask(s, m);
                int size = Integer.bitCount(s);
                w[s - 1] = (m - 1) / (ExactShapley.binomial(m, size) * size * (m - size));
            }
        } else {
            z = sample(m, coalitions + (coalitions & 1), new Rng(seed));
            w = new double[z.length];
            java.util.Arrays.fill(w, 1.0);
        }
        double[] v = game.values(z);
        // eliminate φ_{M−1} = Δ − Σ_{j<M−1} φ_j: v(z) − base − z_last·Δ ≈ Σ_{j<M−1} (z_j − z_last) φ_j
        double delta = full - base;
        double[][] x = new double[z.length][m - 1];
        double[] y = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            double last = z[k][m - 1] ? 1 : 0;
            for (int j = 0; j < m - 1; j++) x[k][j] = (z[k][j] ? 1 : 0) - last;
            y[k] = v[k] - base - last * delta;
        }
        double[] head = WeightedLeastSquares.fit(x, y, w, 0, false).coefficients();
        double[] phi = new double[m];
        double rest = delta;
        for (int j = 0; j < m - 1; j++) {
            phi[j] = head[j];
            rest -= head[j];
        }
        phi[m - 1] = rest;
        return new ShapleyValues(phi, base, full);
    }

    private static boolean[] filled(int m) {
        boolean[] b = new boolean[m];
        java.util.Arrays.fill(b, true);
        return b;
    }

    /** Pairs (z, complement of z), sizes drawn ∝ (M − 1) / (s (M − s)), the kernel's weight of all coalitions of size s. */
    private static boolean[][] sample(int m, int count, Rng rng) {
        double[] cumulative = new double[m - 1];
        double total = 0;
        for (int s = 1; s < m; s++) {
            total += (m - 1.0) / (s * (double) (m - s));
            cumulative[s - 1] = total;
        }
        boolean[][] z = new boolean[count][];
        for (int k = 0; k < count; k += 2) {
            double u = rng.nextDouble() * total;
            int size = 1;
            while (size < m - 1 && cumulative[size - 1] < u) size++;
            int[] order = rng.permutation(m);
            boolean[] a = new boolean[m], b = new boolean[m];
            for (int j = 0; j < m; j++) {
                a[order[j]] = j < size;
                b[order[j]] = j >= size;
            }
            z[k] = a;
            z[k + 1] = b;
        }
        return z;
    }
}
