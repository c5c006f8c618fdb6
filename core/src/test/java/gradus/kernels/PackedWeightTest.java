package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** x·Wᵀ + bias with a pre-packed W against the double-precision reference, over edge groups, panels and strides. */
class PackedWeightTest {
    @Test
    void matchesTheReferenceProduct() {
        Random rnd = new Random(1);
        // m: one to three rows (dot products), half panels (up to 8), whole and partial panels of 16, several
        // panels, and past the row limit (64); n: partial groups and units; the larger ones split over threads,
        // the last for the native BLAS when there is one.
        int[][] shapes = {{1, 5, 3}, {3, 17, 33}, {4, 9, 7}, {8, 13, 40}, {9, 17, 33}, {16, 384, 384}, {7, 40, 400},
                {20, 12, 50}, {40, 1152, 64}, {64, 100, 129}, {130, 33, 1536}, {128, 640, 512}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2], lda = k + 3, ldc = n + 2, wOff = 5;
            float[] a = random(rnd, m * lda), w = random(rnd, wOff + n * k), c = random(rnd, 1 + m * ldc), bias = random(rnd, n);
            for (float[] b : new float[][]{null, bias}) {
                float[] expected = c.clone(), actual = c.clone();
                for (int r = 0; r < m; r++) {
                    for (int j = 0; j < n; j++) expected[1 + r * ldc + j] = b == null ? 0f : b[j];
                }
                Gemm.reference(false, true, m, n, k, 1f, a, 0, lda, w, wOff, k, 1f, expected, 1, ldc);
                PackedWeight.of(w, wOff, n, k).multiply(m, a, 0, lda, b, false, actual, 1, ldc);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-4f * Math.max(1f, Math.abs(expected[i])),
                            "m=" + m + " n=" + n + " k=" + k + " bias=" + (b != null) + " at " + i);
                }
            }
        }
    }

    @Test
    void appliesGeluAfterTheBias() {
        Random rnd = new Random(3);
        for (int m : new int[]{5, 16, 100}) { // the transposed path, half panels included, and the Gemm path
            int n = 300, k = 64;
            float[] a = random(rnd, m * k), w = random(rnd, n * k), bias = random(rnd, n);
            PackedWeight pw = PackedWeight.of(w, 0, n, k);
            float[] plain = new float[m * n], fused = new float[m * n];
            pw.multiply(m, a, 0, k, bias, false, plain, 0, n);
            pw.multiply(m, a, 0, k, bias, true, fused, 0, n);
            GeluKernel.forward(plain, 0, plain, 0, plain.length);
            assertArrayEquals(plain, fused, 1e-6f, "m=" + m);
        }
    }

    /** Without GELU: the JDK's vector exp may change its last bit once C2 compiles it, whatever the threads. */
    @Test
    void theResultDoesNotDependOnTheThreadCount() {
        Random rnd = new Random(2);
        int m = 16, n = 1536, k = 384;
        float[] a = random(rnd, m * k), w = random(rnd, n * k), bias = random(rnd, n);
        PackedWeight pw = PackedWeight.of(w, 0, n, k);
        float[] two = new float[m * n], one = new float[m * n];
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(2);
            pw.multiply(m, a, 0, k, bias, false, two, 0, n);
            Parallel.setThreads(1);
            pw.multiply(m, a, 0, k, bias, false, one, 0, n);
        } finally {
            Parallel.setThreads(threads);
        }
        assertArrayEquals(one, two);
    }

    @Test
    void rejectsAWeightThatDoesNotFitAndAShortBias() {
        var e = assertThrows(IllegalArgumentException.class, () -> PackedWeight.of(new float[10], 2, 3, 3));
        assertEquals("weight [3, 3] at offset 2 does not fit in 10 floats", e.getMessage());
        var bias = assertThrows(IllegalArgumentException.class,
                () -> PackedWeight.of(new float[12], 0, 4, 3).multiply(4, new float[12], 0, 3, new float[3], false, new float[16], 0, 4));
        assertEquals("bias has 3 values for 4 features", bias.getMessage());
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }
}
