package gradus.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * GFLOPS of {@link Gemm#sgemm} against the previous row-axpy implementation, on square sizes and the
 * shapes an MLP (784-64-64-10) and a small CNN on Fashion-MNIST (batch 128, im2col chunks of 32 images)
 * produce. Not a test: run its main (see bench/numpy_gemm.py for NumPy's numbers on the same shapes):
 * <pre>
 * ./mvnw -q -o test-compile -pl core
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes gradus.kernels.GemmBench [repeats]
 * </pre>
 * Timings alternate between the two implementations so that background load hits both alike; each
 * reports its best round. {@code -Dgradus.threads=1} measures one core.
 */
public final class GemmBench {
    private record Shape(String name, boolean tA, boolean tB, int m, int n, int k) {}

    private interface Impl {
        void run(boolean tA, boolean tB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("square 256", false, false, 256, 256, 256),
            new Shape("square 512", false, false, 512, 512, 512),
            new Shape("square 1024", false, false, 1024, 1024, 1024),
            new Shape("square 2048", false, false, 2048, 2048, 2048),
            new Shape("mlp fwd X·Wt", false, true, 128, 64, 784),
            new Shape("mlp dW dYt·X", true, false, 64, 784, 128),
            new Shape("mlp dW Xt·dY", true, false, 784, 64, 128),
            new Shape("mlp dX dY·W", false, false, 128, 784, 64),
            new Shape("conv1 W·cols", false, false, 32, 784 * 32, 9),
            new Shape("conv1 dW dY·colsT", false, true, 32, 9, 784 * 32),
            new Shape("conv1 dcols WT·dY", true, false, 9, 784 * 32, 32),
            new Shape("conv2 W·cols", false, false, 64, 196 * 32, 288),
            new Shape("conv2 dW dY·colsT", false, true, 64, 288, 196 * 32),
            new Shape("conv2 dcols WT·dY", true, false, 288, 196 * 32, 64));

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.printf("threads=%d species=%s%n", Parallel.threads(), MicroKernel.SPECIES);
        System.out.printf("%-20s %-22s %12s %12s %8s%n", "shape", "m x n x k", "naive GF/s", "sgemm GF/s", "speedup");
        for (Shape s : SHAPES) {
            Random rnd = new Random(1);
            float[] a = random(rnd, s.m * s.k), b = random(rnd, s.k * s.n), c = new float[s.m * s.n];
            int lda = s.tA ? s.m : s.k, ldb = s.tB ? s.k : s.n;
            double flops = 2.0 * s.m * s.n * s.k;
            int calls = (int) Math.max(1, Math.min(100_000, 5e9 / flops)); // ~0.1 s per timing at 50 GF/s
            List<Double> naive = new ArrayList<>(), fast = new ArrayList<>();
            for (int r = 0; r < repeats + 1; r++) { // the first round warms up the JIT
                double tn = time(GemmBench::naive, s, a, lda, b, ldb, c, Math.max(1, calls / 8));
                double tf = time(Gemm::sgemm, s, a, lda, b, ldb, c, calls);
                if (r > 0) {
                    naive.add(flops * Math.max(1, calls / 8) / tn / 1e9);
                    fast.add(flops * calls / tf / 1e9);
                }
            }
            double gn = best(naive), gf = best(fast);
            System.out.printf("%-20s %-22s %12.1f %12.1f %7.1fx%n", s.name,
                    (s.tA ? "T " : "N ") + (s.tB ? "T " : "N ") + s.m + "x" + s.n + "x" + s.k, gn, gf, gf / gn);
        }
    }

    private static double time(Impl impl, Shape s, float[] a, int lda, float[] b, int ldb, float[] c, int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) impl.run(s.tA, s.tB, s.m, s.n, s.k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** The best rate: on a shared machine, slower runs measure the neighbours, not the code. */
    private static double best(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** The implementation sgemm replaced: one vectorized axpy per (row of C, k), Bᵀ copied first. */
    private static void naive(boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc) {
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
                if (beta == 0f) Arrays.fill(c, ci, ci + n, 0f);
                else if (beta != 1f) VectorMath.scaleShift(c, ci, beta, 0f, c, ci, n);
                for (int p = 0; p < k; p++) {
                    float av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                    if (av != 0f) VectorMath.axpy(av, bb, bo + p * ldbb, c, ci, n);
                }
            }
        });
    }
}
