package gradus.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * The row tile of a native GEMM, found by probing it: OpenBLAS computes the last {@code m mod U} rows of a product
 * (a partial tile of its U-row micro-kernel; U = 12 for its Haswell sgemm, 16 for SkylakeX) with other kernels that
 * round differently, so a row's result would depend on how many rows share its call. Calls padded to a multiple of
 * the tile, with tile-aligned starts, keep every row in a whole tile. Within a whole tile, too, a row can round by its
 * place (OpenBLAS 0.3.30's Haswell kernel rounds rows 6–11 of its 12 unlike rows 0–5), so a request's row would
 * depend on where in a server's batch it lands. {@link #slots} finds the places that round like the first, where a
 * row alone sits; when some do not, calls put the rows only there ({@link #runInSlots}): more work for the library
 * (auto's calibration times it so), but a row's result never depends on its batch.
 */
final class NativeRowBlock {
    /** Tiles tried, smallest first (every micro-kernel height OpenBLAS uses divides 48 or 64). */
    static final int[] CANDIDATES = {1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64};

    /** Each thread's padded tile of A and of C, reused: fresh arrays would be zeroed (and C's is wide) every call. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    private NativeRowBlock() {}

    /**
     * The smallest candidate U such that, for every row count up to 2U padded to a multiple of U, each row equals the
     * same row of one larger call, bit for bit; 0 when none does (then padding cannot make the library batch-invariant).
     */
    static int probe(BlockedGemm.Kernel kernel) {
        int n = 67, k = 37, most = 4 * CANDIDATES[CANDIDATES.length - 1];
        Random rnd = new Random(42);
        float[] a = new float[most * k], b = new float[k * n], full = new float[most * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        kernel.run(false, false, most, n, k, 1f, a, 0, k, b, 0, n, 0f, full, 0, n);
        for (int u : CANDIDATES) {
            if (rowsMatch(kernel, u, a, b, full, n, k)) return u;
        }
        return 0;
    }

    private static boolean rowsMatch(BlockedGemm.Kernel kernel, int u, float[] a, float[] b, float[] full, int n, int k) {
        for (int rows = 1; rows <= 2 * u; rows++) {
            int padded = BlockedGemm.roundUp(rows, u);
            float[] c = new float[padded * n];
            kernel.run(false, false, padded, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            if (!Arrays.equals(c, 0, rows * n, full, 0, rows * n)) return false;
        }
        return true;
    }

    /**
     * The places in a tile of {@code u} rows where every row rounds as it does alone (at place 0 of a padded tile),
     * in whole tiles of a larger call: all of 0..u-1 for a library whose tile rows round alike.
     */
    static int[] slots(BlockedGemm.Kernel kernel, int u) {
        int n = 67, k = 37, tiles = 4;
        Random rnd = new Random(7);
        float[] a = new float[tiles * u * k], b = new float[k * n], full = new float[tiles * u * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        kernel.run(false, false, tiles * u, n, k, 1f, a, 0, k, b, 0, n, 0f, full, 0, n);
        float[] alone = new float[u * n], row = new float[u * k];
        boolean[] like = new boolean[u];
        Arrays.fill(like, true);
        for (int r = 0; r < tiles * u; r++) {
            System.arraycopy(a, r * k, row, 0, k); // the row at place 0, zeros below
            kernel.run(false, false, u, n, k, 1f, row, 0, k, b, 0, n, 0f, alone, 0, n);
            if (!Arrays.equals(alone, 0, n, full, r * n, r * n + n)) like[r % u] = false;
        }
        like[0] = true; // place 0 is where a row alone sits, by definition
        return java.util.stream.IntStream.range(0, u).filter(p -> like[p]).toArray();
    }

    /** Each thread's gathered copies of A's and C's rows for {@link #runInSlots}. */
    private static final ThreadLocal<float[][]> GATHERED = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    /**
     * {@code kernel} with the rows of op(A) placed only at {@code slots} of whole tiles of {@code u} rows (zeros in the
     * other places), C's rows gathered and scattered alike: every row rounds as it does alone.
     */
    static void runInSlots(BlockedGemm.Kernel kernel, int u, int[] slots, boolean transA, boolean transB, int m, int n, int k,
                           float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
                           float[] c, int cOff, int ldc) {
        int per = slots.length, rows = (m + per - 1) / per * u;
        float[][] scratch = GATHERED.get();
        if (scratch[0].length < rows * k) scratch[0] = new float[rows * k];
        if (scratch[1].length < rows * n) scratch[1] = new float[rows * n];
        float[] at = scratch[0], ct = scratch[1];
        Arrays.fill(at, 0, rows * k, 0f); // the places between the rows must be zero (NaN garbage could trap)
        for (int r = 0; r < m; r++) {
            int place = r / per * u + slots[r % per];
            if (transA) {
                for (int p = 0; p < k; p++) at[p * rows + place] = a[aOff + p * lda + r];
            } else {
                System.arraycopy(a, aOff + r * lda, at, place * k, k);
            }
            if (beta != 0f) System.arraycopy(c, cOff + r * ldc, ct, place * n, n);
        }
        kernel.run(transA, transB, rows, n, k, alpha, at, 0, transA ? rows : k, b, bOff, ldb, beta, ct, 0, n);
        for (int r = 0; r < m; r++) System.arraycopy(ct, (r / per * u + slots[r % per]) * n, c, cOff + r * ldc, n);
    }

    /**
     * {@code kernel} on whole tiles of {@code u} rows: the rows that fill tiles in place, the remaining ones copied into
     * a zero-padded tile (A's rows, and C's when beta reads it) and copied back.
     */
    static void run(BlockedGemm.Kernel kernel, int u, boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int whole = u <= 1 ? m : m / u * u, rest = m - whole;
        if (whole > 0) kernel.run(transA, transB, whole, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        if (rest == 0) return;
        // op(A)'s last rows: rows of A, or columns of Aᵀ stored k×m; the copy keeps the layout (and so the rounding).
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < u * k) scratch[0] = new float[u * k];
        if (scratch[1].length < u * n) scratch[1] = new float[u * n];
        float[] at = scratch[0], ct = scratch[1];
        // The padding rows must be zero (their products are discarded, but NaN garbage could trap or slow the library).
        if (transA) {
            for (int p = 0; p < k; p++) Arrays.fill(at, p * u + rest, (p + 1) * u, 0f);
        } else {
            Arrays.fill(at, rest * k, u * k, 0f);
        }
        int atLd = transA ? u : k;
        for (int r = 0; r < rest; r++) {
            int i = whole + r;
            if (transA) {
                for (int p = 0; p < k; p++) at[p * u + r] = a[aOff + p * lda + i];
            } else {
                System.arraycopy(a, aOff + i * lda, at, r * k, k);
            }
            if (beta != 0f) System.arraycopy(c, cOff + i * ldc, ct, r * n, n);
        }
        kernel.run(transA, transB, u, n, k, alpha, at, 0, atLd, b, bOff, ldb, beta, ct, 0, n);
        for (int r = 0; r < rest; r++) System.arraycopy(ct, r * n, c, cOff + (whole + r) * ldc, n);
    }
}
