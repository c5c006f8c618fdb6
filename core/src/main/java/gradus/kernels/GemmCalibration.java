package gradus.kernels;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * Times the Java kernels and OpenBLAS on each {@link ShapeClass}'s representative shape and picks the faster per
 * class. The timings are interleaved (providers alternate in order, round after round, the first round only warms
 * up) and each provider keeps its best round, so that a neighbour's burst of load slows a sample, not a decision.
 * Both run single-threaded on the calling thread: {@link BlockedGemm#split} spreads either over the cores the same
 * way, so the per-core kernel is what differs. About 0.3 s in all.
 */
final class GemmCalibration {
    /** Rounds after the warm-up; each provider's best counts. */
    static final int ROUNDS = 5;
    /** One sample repeats its product for at least this long, so that the clock's resolution does not matter. */
    private static final long SAMPLE_NANOS = 2_000_000;

    /** Seconds per call of one provider on one class's representative shape (tests give fixed numbers). */
    @FunctionalInterface
    interface Stopwatch {
        double secondsPerCall(Blas.Provider provider, ShapeClass shape);
    }

    private GemmCalibration() {}

    /** The faster provider per class by best-of-{@link #ROUNDS} timings; a tie keeps the Java kernels. */
    static GemmChoice measure(Stopwatch stopwatch, String origin) {
        Map<ShapeClass, double[]> best = new EnumMap<>(ShapeClass.class); // seconds: [java, openblas]
        for (ShapeClass c : ShapeClass.values()) best.put(c, new double[]{Double.MAX_VALUE, Double.MAX_VALUE});
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

    /** The real clock: sgemm on random operands of each class's shape, with the Java kernels or OpenBLAS. */
    static Stopwatch realClock() {
        Map<ShapeClass, float[][]> operands = new EnumMap<>(ShapeClass.class);
        Random rnd = new Random(1);
        for (ShapeClass c : ShapeClass.values()) {
            float[] a = new float[c.m * c.k], b = new float[c.k * c.n];
            for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
            operands.put(c, new float[][]{a, b, new float[c.m * c.n]});
        }
        return (provider, c) -> {
            float[][] x = operands.get(c);
            long t0 = System.nanoTime(), t;
            int calls = 0;
            do {
                if (provider == Blas.Provider.OPENBLAS) {
                    OpenBlas.sgemmWholeTiles(false, false, c.m, c.n, c.k, 1f, x[0], 0, c.k, x[1], 0, c.n, 0f, x[2], 0, c.n);
                } else {
                    BlockedGemm.serial(false, false, c.m, c.n, c.k, 1f, x[0], 0, c.k, x[1], 0, c.n, 0f, x[2], 0, c.n);
                }
                calls++;
            } while ((t = System.nanoTime() - t0) < SAMPLE_NANOS);
            return t / 1e9 / calls;
        };
    }
}
