package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** x·Wᵀ with a pre-packed W against the double-precision reference, over edge tiles, depth blocks and strides. */
class PackedWeightTest {
    @Test
    void matchesTheReferenceProduct() {
        Random rnd = new Random(1);
        // m: partial row tiles and several row blocks; n: partial panels; k: one, two (400 = 200 + 200) and four depth blocks;
        // the last two are large enough to be split over threads, the last for the native BLAS when there is one.
        int[][] shapes = {{1, 5, 3}, {3, 17, 33}, {16, 384, 384}, {7, 40, 400}, {130, 33, 1536}, {5, 1152, 64}, {64, 512, 640}, {128, 640, 512}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2], lda = k + 3, ldc = n + 2, wOff = 5;
            float[] a = random(rnd, m * lda), w = random(rnd, wOff + n * k), c = random(rnd, 1 + m * ldc);
            for (float beta : new float[]{0f, 1f}) {
                float[] expected = c.clone(), actual = c.clone();
                Gemm.reference(false, true, m, n, k, 1f, a, 0, lda, w, wOff, k, beta, expected, 1, ldc);
                PackedWeight.of(w, wOff, n, k).multiply(m, a, 0, lda, beta, actual, 1, ldc);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-4f * Math.max(1f, Math.abs(expected[i])), "m=" + m + " n=" + n + " k=" + k + " beta=" + beta + " at " + i);
                }
            }
        }
    }

    @Test
    void rejectsAWeightThatDoesNotFit() {
        var e = assertThrows(IllegalArgumentException.class, () -> PackedWeight.of(new float[10], 2, 3, 3));
        assertEquals("weight [3, 3] at offset 2 does not fit in 10 floats", e.getMessage());
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }
}
