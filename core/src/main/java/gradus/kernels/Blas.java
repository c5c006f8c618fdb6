package gradus.kernels;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which implementation {@link Gemm#sgemm} runs: Gradus's Java kernels, OpenBLAS (native, from the
 * org.bytedeco:openblas jar), or for each class of product the one measured faster on this machine ({@code auto},
 * the default; see {@link GemmChoice}). Set with the system property {@code gradus.blas} or the environment variable
 * {@code GRADUS_BLAS} ({@code java}, {@code openblas} or {@code auto}); where OpenBLAS cannot load, every setting
 * runs the Java kernels.
 */
public final class Blas {
    /** A GEMM implementation, or the automatic choice between them. */
    public enum Provider { JAVA, OPENBLAS, AUTO }

    private static volatile Provider provider;
    /** auto's measured choice, made (or read from the cache) on first use. */
    private static volatile GemmChoice choice;

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

    /** The native library's build and the kernels it picked for this CPU, or why it is not available. */
    public static String describeNative() {
        return OpenBlas.STATUS;
    }

    /** One line describing the setting and, where it matters, the native library. */
    public static String describe() {
        Provider p = provider();
        if (p == Provider.JAVA) return "java (" + MicroKernel.SPECIES.vectorBitSize() + "-bit vectors)";
        String lib = OpenBlas.STATUS;
        if (!openBlasAvailable()) return p.name().toLowerCase(Locale.ROOT) + ": " + lib + "; using the Java kernels";
        return p == Provider.OPENBLAS ? "openblas: " + lib
                : "auto: " + lib + "; per class of op(B)'s n×k: " + choice().summary();
    }

    /**
     * What auto runs and why, one line per shape class ("large (n·k >= 2^20; timed at 256x1024x1024): java, java 133.7 vs
     * openblas 89.6 GFLOPS per core"), then where the choice came from. Measures it if this JVM has not yet.
     */
    public static List<String> autoChoice() {
        if (!openBlasAvailable()) return List.of("auto runs the Java kernels: " + OpenBlas.STATUS);
        if (OpenBlas.ROW_TILE == 0) return List.of("auto runs the Java kernels: OpenBLAS rounds rows by batch");
        GemmChoice c = choice();
        List<String> lines = new ArrayList<>();
        c.picks().forEach((shape, p) -> lines.add(String.format(Locale.ROOT,
                "%s (%s; timed at %dx%dx%d%s): %s, java %.1f vs openblas %.1f GFLOPS per core", shape.label(), shape.rule,
                shape.m, shape.n, shape.k, shape.transB ? " N T" : "", p.provider().name().toLowerCase(Locale.ROOT), p.javaGflops(), p.openBlasGflops())));
        lines.add("(" + c.origin() + "; OpenBLAS row tile " + OpenBlas.ROW_TILE + ", rows placed at " + Arrays.toString(OpenBlas.ROW_SLOTS) + ")");
        return lines;
    }

    /** Whether a product goes to OpenBLAS; under auto that depends on op(B)'s n×k only, never on m (the batch). */
    static boolean nativeFor(int m, int n, int k) {
        return switch (provider()) {
            case JAVA -> false;
            case OPENBLAS -> OpenBlas.LIB != null;
            case AUTO -> OpenBlas.ROW_TILE > 0 && choice().nativeFor(n, k); // never a library that breaks batch invariance
        };
    }

    /** auto's choice: cached for this machine's facts ({@link GemmChoice#key}), else measured now and cached. */
    static GemmChoice choice() {
        GemmChoice c = choice;
        return c != null ? c : measureOrLoad();
    }

    /** Replaces auto's choice (tests; null measures or loads it again on next use). */
    static void useChoice(GemmChoice c) {
        choice = c;
    }

    static Path cacheDir() {
        String dir = System.getProperty("gradus.cacheDir");
        return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".gradus");
    }

    private static synchronized GemmChoice measureOrLoad() {
        if (choice != null) return choice;
        String key = GemmChoice.key(Machine.current(), Runtime.version().toString(), VectorWidth.bits(), OpenBlas.STATUS);
        choice = GemmChoice.loadOrMeasure(cacheDir(), key,
                () -> {
                    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
                    long t0 = System.nanoTime(), cpu0 = threads.getCurrentThreadCpuTime();
                    GemmChoice measured = GemmCalibration.measure(GemmCalibration.realClock(), GemmCalibration::primeJit, "");
                    return new GemmChoice(measured.picks(), String.format(Locale.ROOT, "measured %s in %.2f s (%.2f s of CPU)",
                            Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), (System.nanoTime() - t0) / 1e9,
                            (threads.getCurrentThreadCpuTime() - cpu0) / 1e9));
                }, System.err);
        return choice;
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
