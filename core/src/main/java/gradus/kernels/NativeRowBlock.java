package gradus.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * The row tile of a native GEMM, found by probing it: OpenBLAS computes the last {@code m mod U} rows of a product
 * (a partial tile of its U-row micro-kernel; U = 12 for its Haswell sgemm, 16 for SkylakeX) with other kernels that
 * round differently, so a row's result would depend on how many rows share its call. Calls padded to a multiple of
 * the tile, with tile-aligned starts, keep every row in a whole tile: a row's result then never depends on its batch.
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
            for (int p = 0; p < k; p++) java.util.Arrays.fill(at, p * u + rest, (p + 1) * u, 0f);
        } else {
            java.util.Arrays.fill(at, rest * k, u * k, 0f);
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
