package gradus.kernels;

import java.util.Locale;

/**
 * Which implementation {@link Gemm#sgemm} runs: Gradus's Java kernels, OpenBLAS (native, from the
 * org.bytedeco:openblas jar), or for each product the one that is faster at its size ({@code auto}, the
 * default). Set with the system property {@code gradus.blas} or the environment variable {@code GRADUS_BLAS}
 * ({@code java}, {@code openblas} or {@code auto}); where OpenBLAS cannot load, every setting runs the Java kernels.
 */
public final class Blas {
    /** A GEMM implementation, or the automatic choice between them. */
    public enum Provider { JAVA, OPENBLAS, AUTO }

    /**
     * Products of fewer multiply-adds than this stay on the Java kernels under {@code auto}. Measured with
     * gradus bench gemm on 2 cores of a Xeon (Cooper Lake, AVX-512): the Java kernels tie OpenBLAS at 256³ and win
     * on most of the MLP's and CNN's products (no packing of row-major A), OpenBLAS wins from 512³ (2^27) on.
     */
    static final long NATIVE_MIN_WORK = 1L << 25;

    private static volatile Provider provider;

    private Blas() {}

    /** The setting in effect (read from {@code gradus.blas} / {@code GRADUS_BLAS} on first use). */
    public static Provider provider() {
        Provider p = provider;
        return p != null ? p : resolve();
    }

    /** Switches the implementation; {@code OPENBLAS} where it cannot load runs the Java kernels. */
    public static void use(Provider p) {
        provider = p;
    }

    public static boolean openBlasAvailable() {
        return OpenBlas.LIB != null;
    }

    /** One line describing the setting and, where it matters, the native library. */
    public static String describe() {
        Provider p = provider();
        if (p == Provider.JAVA) return "java (" + MicroKernel.SPECIES.vectorBitSize() + "-bit vectors)";
        String lib = OpenBlas.STATUS;
        if (!openBlasAvailable()) return p.name().toLowerCase(Locale.ROOT) + ": " + lib + "; using the Java kernels";
        return p == Provider.OPENBLAS ? "openblas: " + lib
                : "auto: " + lib + " for products of >= " + NATIVE_MIN_WORK + " multiply-adds, Java kernels below";
    }

    /** Whether a product of m·n·k multiply-adds goes to OpenBLAS. */
    static boolean nativeFor(int m, int n, int k) {
        return switch (provider()) {
            case JAVA -> false;
            case OPENBLAS -> OpenBlas.LIB != null;
            case AUTO -> (long) m * n * k >= NATIVE_MIN_WORK && OpenBlas.LIB != null;
        };
    }

    private static synchronized Provider resolve() {
        if (provider != null) return provider;
        String property = System.getProperty("gradus.blas"), env = System.getenv("GRADUS_BLAS");
        String source = property != null ? "-Dgradus.blas" : "GRADUS_BLAS";
        String value = property != null ? property : env;
        Provider p = Provider.AUTO;
        if (value != null && !value.isBlank()) {
            try {
                p = Provider.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + "=" + value + ": expected java, openblas or auto");
            }
        }
        provider = p;
        String level = System.getProperty("gradus.log", "info");
        if (level.equals("info") || level.equals("debug")) System.err.println("gradus: GEMM " + describe());
        return p;
    }
}
