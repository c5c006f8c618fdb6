package gradus.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VectorMathTest {
    private static final int L = VectorMath.SPECIES.length();

    /**
     * Each lane accumulates the elements at its index modulo L, the lanes are added first to last, then
     * the tail: the one order that sum and dot may use, so that no JIT compilation can change a result.
     */
    private static float laneOrder(float[] a, float[] b) {
        float[] lanes = new float[L];
        int full = a.length / L * L;
        for (int i = 0; i < full; i++) lanes[i % L] = b == null ? lanes[i % L] + a[i] : Math.fma(a[i], b[i], lanes[i % L]);
        float s = 0f;
        for (float lane : lanes) s += lane;
        for (int i = full; i < a.length; i++) s += b == null ? a[i] : a[i] * b[i];
        return s;
    }

    @Test
    void sumsAddTheLanesInOneFixedOrder() {
        // Lanes of very different sizes: a tree of pairwise sums rounds them differently from first to last.
        float[] a = new float[3 * L + 3], ones = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 4 == 0 ? 1e8f : i % 4 == 2 ? -1e8f : 1f) * (1 + i % 3);
            ones[i] = 1f;
        }
        for (int round = 0; round < 100_000; round++) { // interpreted at first, compiled later: the same bits throughout
            assertEquals(Float.floatToIntBits(laneOrder(a, null)), Float.floatToIntBits(VectorMath.sum(a, 0, a.length)), "sum, call " + round);
            assertEquals(Float.floatToIntBits(laneOrder(a, ones)), Float.floatToIntBits(VectorMath.dot(a, 0, ones, 0, a.length)), "dot, call " + round);
        }
    }
}
