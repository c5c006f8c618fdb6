package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class GemmTest {
    private static final float PAD = 12345f;
    private static final boolean[] BOOLS = {false, true};
    /** Every implementation that can run here; OpenBLAS must, on the platform its jar ships for. */
    private static final java.util.List<Blas.Provider> PROVIDERS = Blas.openBlasAvailable()
            ? java.util.List.of(Blas.Provider.JAVA, Blas.Provider.OPENBLAS) : java.util.List.of(Blas.Provider.JAVA);

    @Test
    void openBlasLoadsWhereItShips() {
        boolean shipped = System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")
                && Runtime.version().feature() >= 22;
        assertEquals(shipped, Blas.openBlasAvailable(), OpenBlas.STATUS);
        // Either way the setting is stated in one line: which library, or why the Java kernels run instead.
        assertFalse(OpenBlas.STATUS.isBlank());
        if (!shipped) assertTrue(Blas.describe().endsWith("using the Java kernels"), Blas.describe());
    }

    /** A matrix stored row-major inside a larger array, at an offset and with a padded row stride. */
    private record Stored(float[] data, int off, int ld) {
        static Stored random(Random rnd, int rows, int cols) {
            int off = rnd.nextInt(7), ld = cols + rnd.nextInt(5);
            float[] d = new float[off + rows * ld + rnd.nextInt(3)];
            Arrays.fill(d, PAD);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) d[off + i * ld + j] = (float) rnd.nextGaussian();
            }
            return new Stored(d, off, ld);
        }

        Stored abs() {
            float[] d = data.clone();
            for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]);
            return new Stored(d, off, ld);
        }
    }

    /** One sgemm call on random operands stored with offsets and padded strides. */
    private record Problem(boolean tA, boolean tB, int m, int n, int k, float alpha, float beta,
                           Stored a, Stored b, Stored c0) {
        /** With {@code nanC}, C starts as NaN inside its m×n window (beta must be 0: C must not be read). */
        static Problem random(boolean tA, boolean tB, int m, int n, int k, float alpha, float beta, long seed, boolean nanC) {
            Random rnd = new Random(seed);
            Stored a = Stored.random(rnd, tA ? k : m, tA ? m : k), b = Stored.random(rnd, tB ? n : k, tB ? k : n);
            Stored c0 = Stored.random(rnd, m, n);
            if (nanC) {
                for (int i = 0; i < m; i++) Arrays.fill(c0.data, c0.off + i * c0.ld, c0.off + i * c0.ld + n, Float.NaN);
            }
            return new Problem(tA, tB, m, n, k, alpha, beta, a, b, c0);
        }

        /** sgemm's result: the whole C array, padding included. */
        float[] run() {
            float[] c = c0.data.clone();
            Gemm.sgemm(tA, tB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld, beta, c, c0.off, c0.ld);
            return c;
        }

        /** Checks every provider against the reference (see {@link #check(Blas.Provider)}); returns the Java kernels' C. */
        float[] check() {
            float[] java = null;
            for (Blas.Provider p : PROVIDERS) {
                float[] got = check(p);
                if (p == Blas.Provider.JAVA) java = got;
            }
            return java;
        }

        /**
         * Checks sgemm with one provider against the reference: every element within 1e-4 of the magnitude
         * |alpha|·|op(A)|·|op(B)| + |beta·C|, and nothing outside C's m×n window written. Returns sgemm's C.
         */
        float[] check(Blas.Provider provider) {
            Blas.Provider before = Blas.provider();
            float[] got;
            try {
                Blas.use(provider);
                got = run();
            } finally {
                Blas.use(before);
            }
            float[] want = c0.data.clone(), mag = c0.abs().data;
            Gemm.reference(tA, tB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld, beta, want, c0.off, c0.ld);
            Stored aa = a.abs(), ba = b.abs();
            Gemm.reference(tA, tB, m, n, k, Math.abs(alpha), aa.data, aa.off, aa.ld, ba.data, ba.off, ba.ld,
                    Math.abs(beta), mag, c0.off, c0.ld);
            String where = provider + " tA=" + tA + " tB=" + tB + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta;
            for (int idx = 0; idx < got.length; idx++) {
                int i = (idx - c0.off) / c0.ld, j = (idx - c0.off) % c0.ld;
                boolean inside = idx >= c0.off && i < m && j < n;
                if (!inside) {
                    assertEquals(c0.data[idx], got[idx], "wrote outside C at " + idx + ", " + where);
                } else {
                    float tol = 1e-4f * mag[idx] + 1e-30f;
                    if (!(Math.abs(got[idx] - want[idx]) <= tol)) {
                        fail("C[" + i + "][" + j + "] = " + got[idx] + ", want " + want[idx] + " ± " + tol + ", " + where);
                    }
                }
            }
            return got;
        }
    }

    private static void forEachProvider(java.util.function.Consumer<Blas.Provider> body) {
        Blas.Provider before = Blas.provider();
        try {
            for (Blas.Provider p : PROVIDERS) {
                Blas.use(p);
                body.accept(p);
            }
        } finally {
            Blas.use(before);
        }
    }

    private static float[] check(boolean tA, boolean tB, int m, int n, int k, float alpha, float beta,
                                 long seed, boolean nanC) {
        return Problem.random(tA, tB, m, n, k, alpha, beta, seed, nanC).check();
    }

    @Test
    void everyTransposeAndOddSize() {
        int[] sizes = {1, 7, 17, 33, 65, 127, 129, 300};
        long seed = 0;
        for (boolean tA : BOOLS) {
            for (boolean tB : BOOLS) {
                for (int s : sizes) {
                    check(tA, tB, s, 17, 33, 1f, 0f, seed++, false);
                    check(tA, tB, 33, s, 17, 1f, 0f, seed++, false);
                    check(tA, tB, 17, 33, s, 1f, 0f, seed++, false);
                    check(tA, tB, s, 65, 129, 1f, 0f, seed++, false);
                }
                check(tA, tB, 127, 129, 300, 1f, 0f, seed++, false);
                check(tA, tB, 300, 65, 129, 1f, 0f, seed++, false);
                check(tA, tB, 1, 300, 300, 1f, 0f, seed++, false);
                check(tA, tB, 300, 1, 300, 1f, 0f, seed++, false);
                check(tA, tB, 300, 300, 1, 1f, 0f, seed++, false);
            }
        }
    }

    @Test
    void matrixVectorShapes() {
        long seed = 100;
        for (boolean tA : BOOLS) {
            for (boolean tB : BOOLS) {
                for (int rows = 1; rows <= 5; rows++) {
                    check(tA, tB, rows, 300, 129, 1f, 0f, seed++, false);
                    check(tA, tB, rows, 7, 300, -0.5f, 2f, seed++, false);
                    check(tA, tB, 300, rows, 129, 1f, 0.5f, seed++, false);
                }
            }
        }
        // One column of B stored with stride 1 is contiguous whether or not it is flagged as transposed.
        Random rnd = new Random(7);
        float[] a = new float[65 * 40], b = new float[40], got = new float[65], want = new float[65];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        Gemm.reference(false, false, 65, 1, 40, 1f, a, 0, 40, b, 0, 1, 0f, want, 0, 1);
        forEachProvider(p -> {
            Gemm.sgemm(false, false, 65, 1, 40, 1f, a, 0, 40, b, 0, 1, 0f, got, 0, 1);
            assertArrayEquals(want, got, 1e-4f, p.name());
        });
    }

    @Test
    void beyondOneCacheBlockInEveryDimension() {
        for (boolean tA : BOOLS) {
            for (boolean tB : BOOLS) {
                check(tA, tB, 260, 40, 600, 1f, 0.5f, 1, false); // several row blocks and depth blocks
                check(tA, tB, 5, 2100, 40, -1f, 0f, 2, false);   // several column blocks
            }
        }
    }

    @Test
    void alphaAndBeta() {
        float[][] alphaBeta = {{1f, 1f}, {0.5f, 0f}, {-2f, 0.3f}, {1.5f, -1f}, {1f, 2f}};
        for (float[] ab : alphaBeta) {
            for (boolean tA : BOOLS) {
                check(tA, !tA, 7, 17, 33, ab[0], ab[1], 3, false);
                check(tA, tA, 65, 127, 300, ab[0], ab[1], 4, false);
            }
        }
    }

    @Test
    void betaZeroNeverReadsC() {
        for (boolean tA : BOOLS) {
            for (boolean tB : BOOLS) {
                float[] small = check(tA, tB, 7, 17, 33, 1f, 0f, 5, true);
                float[] big = check(tA, tB, 129, 65, 300, 2f, 0f, 6, true);
                for (float v : small) assertFalse(Float.isNaN(v));
                for (float v : big) assertFalse(Float.isNaN(v));
            }
        }
    }

    @Test
    void alphaZeroOrEmptyDepthOnlyScalesC() {
        float[] nan = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        float[] c = {1, 2, 3, 4, 5, 6};
        Gemm.sgemm(false, false, 2, 2, 2, 0f, nan, 0, 2, nan, 0, 2, 2f, c, 0, 3);
        assertArrayEquals(new float[]{2, 4, 3, 8, 10, 6}, c);
        Gemm.sgemm(true, true, 2, 2, 0, 1f, nan, 0, 2, nan, 0, 2, 0f, c, 0, 3);
        assertArrayEquals(new float[]{0, 0, 3, 0, 0, 6}, c);
        float[] nanC = {Float.NaN, Float.NaN};
        Gemm.sgemm(false, false, 1, 2, 0, 1f, nan, 0, 0, nan, 0, 2, 0f, nanC, 0, 2);
        assertArrayEquals(new float[]{0, 0}, nanC);
    }

    @Test
    void zeroStrideOperandsBroadcastOneRow() {
        // Expanded tensors reach sgemm with a row stride of 0: every row of A is the same stored row.
        float[] a = {1, 2, 3};
        float[] b = new float[3 * 40];
        for (int i = 0; i < b.length; i++) b[i] = i % 7 - 3;
        float[] got = new float[300 * 40], want = new float[300 * 40];
        Gemm.reference(false, false, 300, 40, 3, 1f, a, 0, 0, b, 0, 40, 0f, want, 0, 40);
        forEachProvider(p -> {
            Gemm.sgemm(false, false, 300, 40, 3, 1f, a, 0, 0, b, 0, 40, 0f, got, 0, 40);
            assertArrayEquals(want, got, p.name());
        });
    }

    @Test
    void resultDoesNotDependOnThreadCount() {
        int before = Parallel.threads();
        Blas.Provider provider = Blas.provider();
        // Just above the size that splits over 3 threads, by rows or by columns (which one also depends on tA).
        int[][] shapes = {{200, 67, 260}, {40, 870, 100}, {24, 9, 16200}, {300, 200, 60}};
        try {
            for (boolean tA : BOOLS) {
                for (boolean tB : BOOLS) {
                    for (int[] s : shapes) {
                        Problem p = Problem.random(tA, tB, s[0], s[1], s[2], 1f, 0.5f, 7, false);
                        Parallel.setThreads(1);
                        float[] one = p.check(Blas.Provider.JAVA);
                        Blas.use(Blas.Provider.JAVA);
                        for (int threads = 2; threads <= 3; threads++) {
                            Parallel.setThreads(threads);
                            assertArrayEquals(one, p.run(), "1 vs " + threads + " threads, tA=" + tA + " tB=" + tB
                                    + " shape " + Arrays.toString(s));
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
            Blas.use(provider);
        }
    }

    @Test
    void negativeSizesAreRejected() {
        float[] x = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, -1, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertTrue(e.getMessage().contains("n=-1"), e.getMessage());
    }
}
