package gradus.kernels;

/**
 * The OpenBLAS entry points Gradus calls. Implemented by {@code ForeignBlas} (compiled for Java 22, in
 * src/main/java22) so that the rest of Gradus builds and runs on Java 21, where it simply is not available.
 */
interface NativeBlas {
    /** cblas_sgemm on row-major heap arrays; the caller has checked that strides and extents are valid. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    void setThreads(int threads);

    /** The library's build and the kernels it picked for this CPU, e.g. "OpenBLAS 0.3.30 DYNAMIC_ARCH ... (Zen)". */
    String describe();
}
