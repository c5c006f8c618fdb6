package gradus.kernels;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * Times the Java kernels and OpenBLAS on each {@link ShapeClass}'s representative shape and picks the faster per
 * class. The timings are interleaved (providers alternate in order, round after round, the first round only warms
 * up) and each provider keeps its best round, so that a neighbour's burst of load slows a sample, not a decision.
 * Both run single-threaded on the calling thread: {@link BlockedGemm#split} spreads either over the cores the same
 * way, so the per-core kernel is what differs. Samples are the thread's CPU time, not the wall clock, so that time
 * the thread spends descheduled by other processes does not count. Before the rounds each provider runs each shape
 * until it stops getting faster (the JIT has compiled the Java kernels). About 0.3 s of CPU in all (a cold JVM: its first use of the kernels).
 */
final class GemmCalibration {
    /**
     * Rounds after the warm-up; each provider's best counts. Many short rounds rather than long samples: the JIT
     * compiler thread needs wall time (on a loaded machine more), and any round after it has finished counts.
     */
    static final int ROUNDS = 8;
    /** One sample repeats its product for at least this long, so that the clock's resolution does not matter. */
    private static final long SAMPLE_NANOS = 1_000_000;
    /** Warm-up takes at least this many samples (the JIT compiles the Java kernels in steps)... */
    static final int MIN_WARM_UP_SAMPLES = 4;
    /** ...and ends after this many samples in a row that are not 3% faster than the best so far... */
    private static final int SETTLED_SAMPLES = 3;
    /** ...or after this many samples of one provider and shape. */
    private static final int MAX_WARM_UP_SAMPLES = 16;

    /** Seconds per call of one provider on one class's representative shape (tests give fixed numbers). */
    @FunctionalInterface
    interface Stopwatch {
        double secondsPerCall(Blas.Provider provider, ShapeClass shape);
    }

    private GemmCalibration() {}

    /** The faster provider per class by best-of-{@link #ROUNDS} timings; a tie keeps the Java kernels. */
    static GemmChoice measure(Stopwatch stopwatch, String origin) {
        return measure(stopwatch, null, origin);
    }

    /** {@link #measure} after {@code primer} (null: none) has run. */
    static GemmChoice measure(Stopwatch stopwatch, Runnable primer, String origin) {
        Map<ShapeClass, double[]> best = new EnumMap<>(ShapeClass.class); // seconds: [java, openblas]
        if (primer != null) primer.run();
        for (ShapeClass c : ShapeClass.values()) {
            best.put(c, new double[]{Double.MAX_VALUE, Double.MAX_VALUE});
            for (Blas.Provider p : new Blas.Provider[]{Blas.Provider.JAVA, Blas.Provider.OPENBLAS}) warmUp(stopwatch, p, c);
        }
        for (int round = 0; round <= ROUNDS; round++) {
            for (ShapeClass c : ShapeClass.values()) {
                for (int i = 0; i < 2; i++) {
                    int p = (round + i) % 2; // java first in even rounds, OpenBLAS first in odd ones
                    double t = stopwatch.secondsPerCall(p == 0 ? Blas.Provider.JAVA : Blas.Provider.OPENBLAS, c);
                    if (round > 0) best.get(c)[p] = Math.min(best.get(c)[p], t);
                }
            }
        }
        Map<ShapeClass, GemmChoice.Pick> picks = new EnumMap<>(ShapeClass.class);
        best.forEach((c, t) -> {
            double flops = 2.0 * c.m * c.n * c.k;
            picks.put(c, new GemmChoice.Pick(t[1] < t[0] ? Blas.Provider.OPENBLAS : Blas.Provider.JAVA,
                    flops / t[0] / 1e9, flops / t[1] / 1e9));
        });
        return new GemmChoice(picks, origin);
    }

    /**
     * Gets the Java kernels compiled by C2 cheaply: until then Vector API code runs 50–1000× slower (the interpreter
     * and C1 box every vector), so timing a real shape first would spend seconds there. Thousands of tiny products,
     * covering whole and partial tiles, both transposes and beta, reach C2's invocation counts in a few tens of ms.
     */
    static void primeJit() {
        int nr = MicroKernel.NR, mr = MicroKernel.MR, k = 4, m = mr + 1, n = nr + nr / 2 + 1;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        java.util.Arrays.fill(a, 0.5f);
        java.util.Arrays.fill(b, 0.25f);
        for (int i = 0; i < 2500; i++) {
            boolean tA = (i & 1) != 0, tB = (i & 2) != 0;
            BlockedGemm.serial(tA, tB, m, n, k, 1f, a, 0, tA ? m : k, b, 0, tB ? k : n, (i & 4) != 0 ? 0.5f : 0f, c, 0, n);
        }
    }

    /** Runs one provider on one shape until its time per call has settled. */
    private static void warmUp(Stopwatch stopwatch, Blas.Provider p, ShapeClass c) {
        double fastest = Double.MAX_VALUE;
        for (int samples = 0, settled = 0; (settled < SETTLED_SAMPLES || samples < MIN_WARM_UP_SAMPLES)
                && samples < MAX_WARM_UP_SAMPLES; samples++) {
            double t = stopwatch.secondsPerCall(p, c);
            if (t < 0.97 * fastest) settled = 0;
            else settled++;
            fastest = Math.min(fastest, t);
        }
    }

    /** The real clock: sgemm on random operands of each class's shape, with the Java kernels or OpenBLAS. */
    static Stopwatch realClock() {
        Map<ShapeClass, float[][]> operands = new EnumMap<>(ShapeClass.class);
        Random rnd = new Random(1);
        for (ShapeClass c : ShapeClass.values()) {
            float[] a = new float[c.m * c.k], b = new float[c.k * c.n];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
            operands.put(c, new float[][]{a, b, new float[c.m * c.n]});
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.function.LongSupplier clock = threads.isCurrentThreadCpuTimeSupported()
                ? threads::getCurrentThreadCpuTime : System::nanoTime;
        return (provider, c) -> {
            float[][] x = operands.get(c);
            int ldb = c.transB ? c.k : c.n;
            long t0 = clock.getAsLong(), t;
            int calls = 0;
            do {
                if (provider == Blas.Provider.OPENBLAS) {
                    OpenBlas.sgemmWholeTiles(false, c.transB, c.m, c.n, c.k, 1f, x[0], 0, c.k, x[1], 0, ldb, 0f, x[2], 0, c.n);
                } else {
                    BlockedGemm.serial(false, c.transB, c.m, c.n, c.k, 1f, x[0], 0, c.k, x[1], 0, ldb, 0f, x[2], 0, c.n);
                }
                calls++;
            } while ((t = clock.getAsLong() - t0) < SAMPLE_NANOS);
            return t / 1e9 / calls;
        };
    }
}
