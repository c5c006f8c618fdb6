package gradus.kernels;

import java.nio.file.Path;

/**
 * The OpenBLAS library shipped in the org.bytedeco:openblas jar, loaded on first use. Where it cannot load
 * (no jar for this platform, Java 21, a broken install) {@link #LIB} is null and {@link #STATUS} says why.
 */
final class OpenBlas {
    static final NativeBlas LIB;
    static final String STATUS;
    /** The library's row tile ({@link NativeRowBlock}); 0 where padding cannot make it batch-invariant. */
    static final int ROW_TILE;
    /** The places in a row tile that round like a row alone ({@link NativeRowBlock#slots}); calls use only these. */
    static final int[] ROW_SLOTS;

    static {
        NativeBlas lib = null;
        String status;
        try {
            // javacpp unpacks the jar's libraries into its cache and loads them; the calls go through ForeignBlas.
            Class<?> presets = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
            Path jniLibrary = Path.of(org.bytedeco.javacpp.Loader.load(presets));
            lib = (NativeBlas) Class.forName("gradus.kernels.ForeignBlas")
                    .getDeclaredConstructor(Path.class).newInstance(jniLibrary);
            lib.setThreads(1);
            status = lib.describe();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            lib = null;
            status = "OpenBLAS not available (" + reason(e) + ")";
        }
        LIB = lib;
        ROW_TILE = lib == null ? 0 : NativeRowBlock.probe(lib::sgemm);
        ROW_SLOTS = ROW_TILE == 0 ? new int[0] : NativeRowBlock.slots(lib::sgemm, ROW_TILE);
        STATUS = lib == null || ROW_TILE > 0 ? status : status + "; not batch-invariant";
    }

    private OpenBlas() {}

    /** One single-threaded cblas_sgemm (Gemm splits products over its own threads). */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        LIB.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** {@link #sgemm} on whole row tiles, each row in a place that rounds like a row alone: no row's result depends on the rows beside it. */
    static void sgemmWholeTiles(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (ROW_SLOTS.length == ROW_TILE) {
            NativeRowBlock.run(LIB::sgemm, ROW_TILE, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            NativeRowBlock.runInSlots(LIB::sgemm, ROW_TILE, ROW_SLOTS, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc);
        }
    }

    private static String reason(Throwable e) {
        if (e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null) e = ite.getCause();
        if (e instanceof UnsupportedClassVersionError) return "the native call needs Java 22 or newer";
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * Whether the operands are ones cblas_sgemm accepts: row strides at least the stored row length (Gradus's
     * kernels also take stride 0 for broadcast rows) and every element inside its array (native code does
     * not check bounds).
     */
    static boolean accepts(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        return fits(a, aOff, lda, transA ? k : m, transA ? m : k)
                && fits(b, bOff, ldb, transB ? n : k, transB ? k : n)
                && fits(c, cOff, ldc, m, n);
    }

    private static boolean fits(float[] x, int off, int ld, int rows, int cols) {
        return ld >= Math.max(1, cols) && off >= 0 && off + (long) (rows - 1) * ld + cols <= x.length;
    }
}
