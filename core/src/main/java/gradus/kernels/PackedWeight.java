package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static gradus.kernels.MicroKernel.MR;
import static gradus.kernels.MicroKernel.NR;

/**
 * A Linear weight W [n, k] packed once for inference products {@code y = x·Wᵀ + bias} of a few rows (one
 * short sentence). Such a product is bound by streaming W from memory (MiniLM's six layers hold 42 MB,
 * more than the cache), so it is computed transposed, yᵀ = W·xᵀ: W is the operand read once, in groups
 * of {@link MicroKernel#MR} rows interleaved along the depth (one sequential stream per group), and every
 * value read is used for all the rows of x at once. x is transposed per call into panels of
 * {@link MicroKernel#NR} rows (16 with AVX2), which stay in L2, in a buffer kept per calling thread. Products
 * of more rows go to {@link Gemm} with a plain copy of W. Each output is one fma chain over the depth, whatever
 * the panel, so from 1 to {@code MAX_ROWS} rows a row's result does not depend on the other rows. Both copies are taken once and do
 * not follow later changes to W.
 */
public final class PackedWeight implements WeightProduct {
    private static final VectorSpecies<Float> S = MicroKernel.SPECIES;
    private static final int L = S.length();
    /** Features per parallel unit: two groups, which the half-width kernel reads together. */
    private static final int UNIT = 2 * MR;
    /**
     * Up to this many rows the product runs here (x's panels, rows × k floats, stay in L2); beyond it
     * {@link Gemm} packs W per call, a cost spread over that many rows.
     */
    private static final int MAX_ROWS = 64;
    /**
     * Below this many multiply-adds per thread the product stays on the calling thread. Two threads stream
     * a weight from memory about 1.6× as fast as one, which pays for the hand-off from about this size.
     */
    private static final long MIN_PARALLEL_WORK = 1 << 20;
    private static final ThreadLocal<float[]> PANELS = ThreadLocal.withInitial(() -> new float[0]);

    private final int n, k, units;
    private final float[] weight; // W [n, k] as given, for products of more rows
    private final float[] groups; // group g, depth p, row i: W[g·MR + i][p] at g·MR·k + p·MR + i; zero past n

    private PackedWeight(int n, int k, float[] weight, float[] groups) {
        this.n = n;
        this.k = k;
        this.units = (n + UNIT - 1) / UNIT;
        this.weight = weight;
        this.groups = groups;
    }

    /** Packs W [n, k], stored row-major from {@code off}. */
    public static PackedWeight of(float[] w, int off, int n, int k) {
        if (n <= 0 || k <= 0) throw new IllegalArgumentException("a packed weight needs positive sizes, got [" + n + ", " + k + "]");
        if (off < 0 || (long) off + (long) n * k > w.length) {
            throw new IllegalArgumentException("weight [" + n + ", " + k + "] at offset " + off + " does not fit in " + w.length + " floats");
        }
        int padded = (n + UNIT - 1) / UNIT * UNIT;
        float[] groups = new float[padded * k];
        for (int r = 0; r < n; r++) {
            int dst = r / MR * MR * k + r % MR, src = off + r * k;
            for (int p = 0; p < k; p++) groups[dst + p * MR] = w[src + p];
        }
        return new PackedWeight(n, k, java.util.Arrays.copyOfRange(w, off, off + n * k), groups);
    }

    /** Output features (W's rows). */
    public int outFeatures() {
        return n;
    }

    /** Input features (W's columns). */
    public int inFeatures() {
        return k;
    }

    /**
     * Y = X·Wᵀ + bias for X [m, k] (rows {@code ldx} apart from {@code xOff}) into Y [m, n] (rows {@code ldy}
     * apart from {@code yOff}), overwriting it, then GELU of Y when {@code gelu} (by each thread on its own
     * features while they are in cache); {@code bias} [n] may be null. Threads take groups of output
     * features, so each result is computed the same way whatever their number.
     */
    public void multiply(int m, float[] x, int xOff, int ldx, float[] bias, boolean gelu, float[] y, int yOff, int ldy) {
        if (m <= 0) return;
        if (bias != null && bias.length < n) throw new IllegalArgumentException("bias has " + bias.length + " values for " + n + " features");
        // Many rows: W packed per call pays. One row runs here too: in a zero-padded panel it rounds as in any batch.
        if (m > MAX_ROWS || Blas.nativeFor(m, n, k)) {
            float beta = 0f;
            if (bias != null) {
                for (int r = 0; r < m; r++) System.arraycopy(bias, 0, y, yOff + r * ldy, n);
                beta = 1f;
            }
            Gemm.sgemm(false, true, m, n, k, 1f, x, xOff, ldx, weight, 0, k, beta, y, yOff, ldy);
            if (gelu) Parallel.forRange(m, Math.max(1, (1 << 14) / n), (r0, r1) -> gelu(y, yOff, ldy, r0, r1, 0, n));
            return;
        }
        int chunks = (m + NR - 1) / NR;
        float[] panels = PANELS.get();
        if (panels.length < chunks * NR * k) PANELS.set(panels = new float[chunks * NR * k]);
        Packing.packBt(x, xOff, ldx, k, m, panels); // chunk c: depth p, row i of the chunk at c·NR·k + p·NR + i
        float[] xt = panels;
        long work = (long) m * n * k;
        int grain = (int) Math.min(units, Math.max(1, units * MIN_PARALLEL_WORK / work));
        Parallel.forRange(units, grain, (u0, u1) -> {
            float[] tile = new float[UNIT * NR];
            for (int u = u0; u < u1; u++) {
                for (int c = 0; c < chunks; c++) {
                    int rows = Math.min(NR, m - c * NR), at = c * NR * k, out = yOff + c * NR * ldy;
                    if (rows > L) {
                        for (int g = 2 * u; g < 2 * u + 2; g++) groupByPanel(g, xt, at, tile);
                        store(tile, NR, 2 * u * MR, rows, bias, y, out, ldy);
                    } else {
                        pairByHalfPanel(2 * u, xt, at, tile);
                        store(tile, L, 2 * u * MR, rows, bias, y, out, ldy);
                    }
                }
            }
            if (gelu) gelu(y, yOff, ldy, 0, m, u0 * UNIT, Math.min(n, u1 * UNIT));
        });
    }

    /** GELU in place over rows [r0, r1) and features [j0, j1) of Y. */
    private static void gelu(float[] y, int yOff, int ldy, int r0, int r1, int j0, int j1) {
        for (int r = r0; r < r1; r++) GeluKernel.forward(y, yOff + r * ldy + j0, y, yOff + r * ldy + j0, j1 - j0);
    }

    /**
     * Rows of yᵀ for group g's MR features over a whole panel (NR rows of x), into tile rows
     * {@code (g % 2)·MR} on, NR apart. Four features of two vectors keep 8 accumulators in flight.
     */
    private void groupByPanel(int g, float[] xt, int at, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        float[] w = groups;
        int wo = g * MR * k;
        for (int p = 0; p < k; p++) {
            int b = at + p * NR, q = wo + p * MR;
            FloatVector x0 = FloatVector.fromArray(S, xt, b), x1 = FloatVector.fromArray(S, xt, b + L);
            FloatVector v = FloatVector.broadcast(S, w[q]);
            c00 = v.fma(x0, c00);
            c01 = v.fma(x1, c01);
            v = FloatVector.broadcast(S, w[q + 1]);
            c10 = v.fma(x0, c10);
            c11 = v.fma(x1, c11);
            v = FloatVector.broadcast(S, w[q + 2]);
            c20 = v.fma(x0, c20);
            c21 = v.fma(x1, c21);
            v = FloatVector.broadcast(S, w[q + 3]);
            c30 = v.fma(x0, c30);
            c31 = v.fma(x1, c31);
        }
        int t = g % 2 * MR * NR;
        c00.intoArray(tile, t);
        c01.intoArray(tile, t + L);
        c10.intoArray(tile, t + NR);
        c11.intoArray(tile, t + NR + L);
        c20.intoArray(tile, t + 2 * NR);
        c21.intoArray(tile, t + 2 * NR + L);
        c30.intoArray(tile, t + 3 * NR);
        c31.intoArray(tile, t + 3 * NR + L);
    }

    /**
     * Rows of yᵀ for groups g and g + 1 (2·MR features) over the first L rows of a panel, into tile rows
     * L apart: when a panel holds no more rows than one vector, its second half would be padding.
     */
    private void pairByHalfPanel(int g, float[] xt, int at, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        float[] w = groups;
        int wo = g * MR * k, wo2 = wo + MR * k;
        for (int p = 0; p < k; p++) {
            FloatVector x0 = FloatVector.fromArray(S, xt, at + p * NR);
            int q = wo + p * MR, q2 = wo2 + p * MR;
            c0 = FloatVector.broadcast(S, w[q]).fma(x0, c0);
            c1 = FloatVector.broadcast(S, w[q + 1]).fma(x0, c1);
            c2 = FloatVector.broadcast(S, w[q + 2]).fma(x0, c2);
            c3 = FloatVector.broadcast(S, w[q + 3]).fma(x0, c3);
            c4 = FloatVector.broadcast(S, w[q2]).fma(x0, c4);
            c5 = FloatVector.broadcast(S, w[q2 + 1]).fma(x0, c5);
            c6 = FloatVector.broadcast(S, w[q2 + 2]).fma(x0, c6);
            c7 = FloatVector.broadcast(S, w[q2 + 3]).fma(x0, c7);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        c2.intoArray(tile, 2 * L);
        c3.intoArray(tile, 3 * L);
        c4.intoArray(tile, 4 * L);
        c5.intoArray(tile, 5 * L);
        c6.intoArray(tile, 6 * L);
        c7.intoArray(tile, 7 * L);
    }

    /** Y[r][j0 + f] = tile[f·ld + r] + bias[j0 + f] for the tile's UNIT features (those below n) and its rows. */
    private void store(float[] tile, int ld, int j0, int rows, float[] bias, float[] y, int out, int ldy) {
        int features = Math.min(UNIT, n - j0), r = 0;
        if (bias != null) {
            for (int f = 0; f < features; f++) {
                FloatVector b = FloatVector.broadcast(S, bias[j0 + f]);
                for (int i = 0; i < ld; i += L) FloatVector.fromArray(S, tile, f * ld + i).add(b).intoArray(tile, f * ld + i);
            }
        }
        if (Packing.TRANSPOSE8 && UNIT == 8 && features == UNIT) { // whole blocks of 8 rows as register transposes
            for (; r + UNIT <= rows; r += UNIT) Packing.transpose8x8(tile, r, ld, y, out + r * ldy + j0, ldy);
        }
        for (; r < rows; r++) {
            int yr = out + r * ldy + j0;
            for (int f = 0; f < features; f++) y[yr + f] = tile[f * ld + r];
        }
    }
}
