package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packed int8 GEMM bit-exact against the plain triple loop over awkward shapes: one row, rows not a multiple
 * of the tile, columns around the panel width, depths that are not a multiple of 4 nor of the vector length
 * (EveryVectorWidthTest runs this at 128, 256 and 512 bits).
 */
class Int8GemmTest {
    private static byte[] values(Random r, int n, int lowest) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (lowest + r.nextInt(128 - lowest));
        return b;
    }

    @Test
    void exactOverAwkwardShapes() {
        Random r = new Random(7);
        int panel = Int8Gemm.PANEL;
        int[] ms = {1, 2, 3, 4, 5, 7, 9, 63, 64, 65, 131};
        int[] ns = {1, 2, panel - 1, panel, panel + 1, 2 * panel + 3};
        int[] ks = {1, 2, 3, 4, 5, 7, 13, 15, 17, 31, 33, 63, 65, 127, 129, 384};
        for (int m : ms) {
            for (int n : ns) {
                for (int k : ks) {
                    if ((long) m * n * k > 3_000_000) continue;
                    byte[] a = values(r, m * k, -128), b = values(r, n * k, -127);
                    int[] c = new int[m * n], ref = new int[m * n];
                    Int8Gemm.multiply(m, n, k, a, k, b, k, c, n);
                    Int8Gemm.reference(m, n, k, a, k, b, k, ref, n);
                    assertArrayEquals(ref, c, m + "x" + n + "x" + k);
                }
            }
        }
    }

    @Test
    void exactWithStridesAndLargeSums() {
        // rows further apart than their length; |a·b| at its largest over a depth of 1536 (BERT's intermediate)
        int m = 6, n = 37, k = 1536, lda = k + 5, ldb = k + 3;
        byte[] a = new byte[m * lda], b = new byte[n * ldb];
        Random r = new Random(3);
        for (int i = 0; i < a.length; i++) a[i] = r.nextBoolean() ? (byte) -128 : 127;
        for (int i = 0; i < b.length; i++) b[i] = r.nextBoolean() ? (byte) -127 : 127;
        java.util.Arrays.fill(a, 0, k, (byte) -128);
        java.util.Arrays.fill(b, 0, k, (byte) -127);
        int[] c = new int[m * (n + 2)], ref = new int[m * (n + 2)];
        Int8Gemm.multiply(m, n, k, a, lda, b, ldb, c, n + 2);
        Int8Gemm.reference(m, n, k, a, lda, b, ldb, ref, n + 2);
        assertArrayEquals(ref, c);
        assertEquals(128 * 127 * k, c[0]);
    }

    @Test
    void everyTileOnceAndInsideTheMatrix() {
        int m = 70, n = 2 * Int8Gemm.PANEL + 5, k = 40;
        int[] seen = new int[m * n];
        byte[] b = new byte[n * k];
        java.util.Arrays.fill(b, (byte) 1);
        Int8Gemm.multiply(m, new int[m * Int8Gemm.paddedDepth(k) / 2], Int8Panels.pack(b, 0, n, k, k), (i0, rows, j0, cols, c) -> {
            assertTrue(rows >= 1 && rows <= Int8Gemm.ROWS && i0 + rows <= m && cols >= 1 && j0 + cols <= n);
            for (int i = i0; i < i0 + rows; i++) for (int j = j0; j < j0 + cols; j++) synchronized (seen) { seen[i * n + j]++; }
        });
        for (int v : seen) assertEquals(1, v);
    }

    @Test
    void quantizedPairsAreTheQuantizedBytesPacked() {
        Random r = new Random(5);
        for (int k : new int[]{1, 2, 3, 5, 16, 17, 33, 384, 385}) {
            float[] x = new float[k + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * 3;
            byte[] q = new byte[k];
            float s = Int8Weight.quantizeRow(x, 3, k, q, 0);
            int[] pairs = new int[Int8Gemm.paddedDepth(k) / 2 + 1], expected = new int[pairs.length];
            java.util.Arrays.fill(pairs, -1);
            expected[expected.length - 1] = -1;
            Int8Gemm.packRow(q, 0, k, expected, 0);
            assertEquals(s, Int8Weight.quantizeRowPairs(x, 3, k, pairs, 0));
            assertArrayEquals(expected, pairs, "k=" + k);
        }
        int[] zero = {5, 5};
        assertEquals(0f, Int8Weight.quantizeRowPairs(new float[3], 0, 3, zero, 0));
        assertArrayEquals(new int[]{0, 0}, zero);
        assertThrows(IllegalArgumentException.class, () -> Int8Weight.quantizeRowPairs(new float[]{1, Float.NaN}, 0, 2, new int[2], 0));
    }

    @Test
    void roundingHalvesToEvenAsMathRint() {
        // 127/amax·x lands on .5 for these: rint rounds 0.5 → 0, 1.5 → 2, 2.5 → 2, −0.5 → −0
        float[] x = new float[32];
        x[0] = 127;
        x[1] = 0.5f;
        x[2] = 1.5f;
        x[3] = 2.5f;
        x[4] = -0.5f;
        x[5] = -3.5f;
        int[] pairs = new int[16];
        Int8Weight.quantizeRowPairs(x, 0, 32, pairs, 0);
        byte[] q = new byte[32];
        Int8Weight.quantizeRow(x, 0, 32, q, 0);
        int[] expected = new int[16];
        Int8Gemm.packRow(q, 0, 32, expected, 0);
        assertArrayEquals(expected, pairs);
        assertEquals(Int8Gemm.pair(127, 0), pairs[0]);
        assertEquals(Int8Gemm.pair(2, 2), pairs[1]);
        assertEquals(Int8Gemm.pair(0, -4), pairs[2]);
    }

    @Test
    void refusesMinus128InTheWeightAndShortInputs() {
        byte[] b = {1, 2, -128, 4};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Int8Panels.pack(b, 0, 2, 2, 2));
        assertTrue(e.getMessage().contains("[1, 0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Int8Panels.pack(new byte[5], 0, 2, 3, 3));
        Int8Panels p = Int8Panels.pack(new byte[6], 0, 2, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> Int8Gemm.multiply(3, new int[4], p, (i0, rows, j0, cols, c) -> {}));
    }
}
