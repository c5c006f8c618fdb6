package gradus.kernels;

import java.util.Arrays;

/**
 * Single-precision matrix multiply on row-major arrays, BLAS semantics:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where op(X) is X or Xᵀ.
 * {@code lda/ldb/ldc} are the row strides of the stored (untransposed) arrays.
 * Products run OpenBLAS where {@link Blas} picks it, else {@link BlockedGemm} (packed, cache-blocked, parallel
 * when large), except products with one output column, which run as dot products.
 * <p>Batch invariance: a row of C is bit for bit the same whether computed alone or among any other rows, on every
 * path: the choice of path never depends on m (auto's per-shape choice looks at op(B) only, and OpenBLAS runs on
 * whole row tiles, {@link NativeRowBlock}), and each path rounds a row independently of the others.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) return;
        // A single column of op(B) stored contiguously (Bᵀ's rows, or B with one column and ldb 1).
        boolean bColumnsContiguous = transB || (n == 1 && ldb == 1);
        if (k == 0 || alpha == 0f) { // BLAS: A and B are not read, C is only scaled
            scale(m, n, beta, c, cOff, ldc);
        } else if (Blas.nativeFor(m, n, k)
                && OpenBlas.accepts(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc)) {
            BlockedGemm.split(OpenBlas::sgemmWholeTiles, Math.max(1, OpenBlas.ROW_TILE), true,
                    transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (!transA && bColumnsContiguous && n == 1) {
            // One output column: each row of C is one dot product, the same whatever the batch.
            dotProducts(m, n, k, alpha, a, aOff, lda, b, bOff, transB ? ldb : 1, beta, c, cOff, ldc);
        } else {
            // Even 16×16×16 runs several times faster packed than in plain loops, and the blocked path
            // stays on the calling thread, without allocating, until the product is worth splitting. A few rows
            // (m < MR) go here too, in a zero-padded tile: a row then rounds the same alone as in any batch.
            BlockedGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /** C = beta·C; beta == 0 overwrites C without reading it (it may hold NaN). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) Arrays.fill(c, ci, ci + n, 0f);
            else VectorMath.scaleShift(c, ci, beta, 0f, c, ci, n);
        }
    }

    /**
     * One column of op(B), where tiles would be mostly padding: C[i][j] = alpha·(A row i · op(B) column j) + beta·C[i][j], both runs contiguous ({@code ldbCol} apart).
     */
    private static void dotProducts(int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                    float[] b, int bOff, int ldbCol, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float s = alpha * VectorMath.dot(a, aOff + i * lda, b, bOff + j * ldbCol, k);
                c[ci + j] = beta == 0f ? s : s + beta * c[ci + j];
            }
        }
    }

    /** The obvious triple loop in double precision: the reference every fast path is tested against. */
    public static void reference(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = (float) (alpha * s + (beta == 0f ? 0f : beta * c[ci]));
            }
        }
    }
}
