package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every quantized kernel against a plain loop over the same stored values: exact for int8·int8 → int32. */
class QuantizedKernelsTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {1, 7, 63}, {1, 384, 384}, {3, 5, 64}, {4, 2, 130}, {5, 9, 200},
            {70, 67, 96}, {130, 66, 384}, {2, 1536, 384}};

    private static byte[] int8(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (r.nextInt(256) - 128);
        return b;
    }

    private static float[] floats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
        return f;
    }

    /** The plain loop: y[i][j] = Σ_p x[i][p]·w[j][p], in double. */
    private static float[] linear(int m, int n, int k, float[] x, float[] w) {
        float[] y = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) x[i * k + p] * w[j * k + p];
                y[i * n + j] = (float) s;
            }
        }
        return y;
    }

    @Test
    void int8GemmIsExact() {
        Random r = new Random(1);
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            byte[] a = int8(r, m * k), b = int8(r, n * k);
            int[] c = new int[m * n], ref = new int[m * n];
            Int8Gemm.multiply(m, n, k, a, k, b, k, c, n);
            Int8Gemm.reference(m, n, k, a, k, b, k, ref, n);
            assertArrayEquals(ref, c, m + "x" + n + "x" + k);
        }
    }

    @Test
    void int8GemmAtTheRangeEnds() {
        // every product ±128·127 or 128·128: the largest int8 products, summed over a long depth
        int m = 5, n = 3, k = 1000;
        byte[] a = new byte[m * k], b = new byte[n * k];
        java.util.Arrays.fill(a, (byte) -128);
        java.util.Arrays.fill(b, (byte) 127);
        for (int i = 0; i < k; i += 3) b[i] = -128;
        int[] c = new int[m * n], ref = new int[m * n];
        Int8Gemm.multiply(m, n, k, a, k, b, k, c, n);
        Int8Gemm.reference(m, n, k, a, k, b, k, ref, n);
        assertArrayEquals(ref, c);
        assertEquals(-128 * 127 * 666 + 128 * 128 * 334, c[0]);
    }

    @Test
    void int8WeightProductMatchesTheIntegerReference() {
        Random r = new Random(2);
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            float[] w = floats(r, n * k), x = floats(r, m * k), bias = floats(r, n), y = new float[m * n];
            Int8Weight q = Int8Weight.quantize(w, 0, n, k);
            q.multiply(m, x, 0, k, bias, false, y, 0, n);
            byte[] xq = new byte[k];
            for (int i = 0; i < m; i++) {
                float xs = Int8Weight.quantizeRow(x, i * k, k, xq, 0);
                for (int j = 0; j < n; j++) {
                    int acc = 0;
                    for (int p = 0; p < k; p++) acc += xq[p] * q.values()[j * k + p];
                    assertEquals(acc * (xs * q.scales()[j]) + bias[j], y[i * n + j], 0f, m + "x" + n + "x" + k);
                }
            }
            // and close to the float product: int8 error of both operands
            float[] exact = linear(m, n, k, x, w);
            double squares = 0;
            for (int i = 0; i < m * n; i++) squares += Math.pow(exact[i] + bias[i % n] - y[i], 2);
            double rms = Math.sqrt(squares / (m * n));
            assertTrue(rms <= 0.015 * Math.sqrt(k), "rms error " + rms + " at " + m + "x" + n + "x" + k); // about 0.011·√k expected
        }
    }

    @Test
    void quantizedRowsRoundTrip() {
        float[] x = {0f, 1f, -2f, 0.5f, 2f};
        byte[] q = new byte[5];
        float s = Int8Weight.quantizeRow(x, 0, 5, q, 0);
        assertEquals(2f / 127, s, 0f);
        assertArrayEquals(new byte[]{0, 64, -127, 32, 127}, q); // 63.5 rounds to even
        assertEquals(0f, Int8Weight.quantizeRow(new float[3], 0, 3, q, 0));
        assertThrows(IllegalArgumentException.class, () -> Int8Weight.quantizeRow(new float[]{Float.NaN}, 0, 1, q, 0));
    }

    @Test
    void int4ProductMatchesTheDequantizedLoop() {
        Random r = new Random(3);
        for (int group : new int[]{32, 64, 128}) {
            for (int[] s : new int[][]{{1, 5, 128}, {1, 384, 384}, {4, 3, 256}, {7, 9, 128}, {70, 33, 384}}) {
                int m = s[0], n = s[1], k = s[2];
                if (k % group != 0) continue;
                float[] w = floats(r, n * k), x = floats(r, m * k), bias = floats(r, n), y = new float[m * n];
                Int4Weight q = Int4Weight.quantize(w, 0, n, k, group);
                q.multiply(m, x, 0, k, bias, false, y, 0, n);
                float[] dq = q.dequantize(), ref = linear(m, n, k, x, dq);
                for (int i = 0; i < m * n; i++) assertEquals(ref[i] + bias[i % n], y[i], 1e-4f * Math.sqrt(k), "group " + group);
                // within half a step, or a whole one where +8 steps clamp to 7 (plus the scale's float16 rounding)
                for (int i = 0; i < dq.length; i++) assertTrue(Math.abs(dq[i] - w[i]) <= Math.abs(q.scales()[i / group]) * 1.01f, "w " + w[i] + " dq " + dq[i] + " scale " + q.scales()[i / group] + " at " + i);
            }
        }
    }

    @Test
    void int4Layout() {
        float[] w = new float[32];
        for (int i = 0; i < 32; i++) w[i] = i - 16; // the largest magnitude −16 maps to −8: scale 2
        Int4Weight q = Int4Weight.quantize(w, 0, 1, 32, 32);
        assertEquals(2f, q.scales()[0]);
        // byte t: value t (q = (t−16)/2 rounded, +8) low, value t+16 (q = t/2, +8) high
        assertEquals((byte) (0 | (8 << 4)), q.packed()[0]);
        assertEquals((byte) ((int) Math.rint(-3.5) + 8 | ((int) Math.rint(4.5) + 8) << 4), q.packed()[9]);
        assertThrows(IllegalArgumentException.class, () -> Int4Weight.quantize(new float[96], 0, 1, 96, 64));
        assertThrows(IllegalArgumentException.class, () -> Int4Weight.quantize(new float[48], 0, 1, 48, 48));
    }

    @Test
    void halfProductsMatchTheDequantizedLoop() {
        Random r = new Random(4);
        for (HalfWeight.Format f : HalfWeight.Format.values()) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                float[] w = floats(r, n * k), x = floats(r, m * k), y = new float[m * n];
                HalfWeight h = HalfWeight.of(f, w, 0, n, k);
                h.multiply(m, x, 0, k, null, false, y, 0, n);
                float[] ref = linear(m, n, k, x, h.dequantize());
                for (int i = 0; i < m * n; i++) assertEquals(ref[i], y[i], 1e-4f * Math.sqrt(k), f + " " + m + "x" + n + "x" + k);
            }
        }
    }
}
