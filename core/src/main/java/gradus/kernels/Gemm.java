package gradus.kernels;

import java.util.Arrays;

/**
 * Single-precision matrix multiply on row-major arrays, BLAS semantics:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where op(X) is X or Xᵀ.
 * {@code lda/ldb/ldc} are the row strides of the stored (untransposed) arrays.
 * Large products run {@link BlockedGemm}, packed and parallel; small ones run plain loops.
 */
public final class Gemm {
    private Gemm() {}

    /** Below this many multiply-adds, packing costs more than it saves: plain loops are faster. */
    private static final long SMALL_WORK = 1 << 15;

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) { // BLAS: A and B are not read, C is only scaled
            scale(m, n, beta, c, cOff, ldc);
        } else if ((long) m * n * k < SMALL_WORK) {
            small(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
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

    /** Small products: straight loops, vectorized along whichever operand rows are contiguous. */
    private static void small(boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc) {
        if (!transB) { // C row i += (alpha·A[i][p]) · B row p
            scale(m, n, beta, c, cOff, ldc);
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    VectorMath.axpy(alpha * av, b, bOff + p * ldb, c, ci, n);
                }
            }
            return;
        }
        for (int i = 0; i < m; i++) { // C[i][j] = alpha · (op(A) row i · B row j) + beta·C[i][j]
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * ldb;
                float s;
                if (transA) {
                    s = 0f;
                    for (int p = 0; p < k; p++) s += a[aOff + p * lda + i] * b[bj + p];
                } else {
                    s = VectorMath.dot(a, aOff + i * lda, b, bj, k);
                }
                c[ci + j] = beta == 0f ? alpha * s : alpha * s + beta * c[ci + j];
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
