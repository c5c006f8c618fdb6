package gradus.kernels;

/**
 * Single-precision matrix multiply on row-major arrays, BLAS semantics:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where op(X) is X or Xᵀ.
 * {@code lda/ldb/ldc} are the row strides of the stored (untransposed) arrays.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        // B row p (length n) must be contiguous for the vectorized inner loop: pack Bᵀ once.
        float[] bp = b;
        int bpOff = bOff, bpLd = ldb;
        if (transB) {
            bp = new float[k * n];
            for (int j = 0; j < n; j++) {
                int src = bOff + j * ldb;
                for (int p = 0; p < k; p++) bp[p * n + j] = b[src + p];
            }
            bpOff = 0;
            bpLd = n;
        }
        final float[] bb = bp;
        final int bo = bpOff, ldbb = bpLd;
        long work = (long) m * n * k;
        Parallel.forRange(m, work < 1 << 18 ? m : 1, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int ci = cOff + i * ldc;
                if (beta == 0f) java.util.Arrays.fill(c, ci, ci + n, 0f);
                else if (beta != 1f) VectorMath.scaleShift(c, ci, beta, 0f, c, ci, n);
                for (int p = 0; p < k; p++) {
                    float av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                    if (av != 0f) VectorMath.axpy(av, bb, bo + p * ldbb, c, ci, n);
                }
            }
        });
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
