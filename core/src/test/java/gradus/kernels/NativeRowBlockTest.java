package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The row-tile probe and the padded calls, on a fake library whose partial tiles round differently (as OpenBLAS's do). */
class NativeRowBlockTest {
    /** Like OpenBLAS's Haswell sgemm: rows in whole tiles of {@code tile} sum upwards, the last partial tile downwards. */
    private static BlockedGemm.Kernel tiled(int tile) {
        return (tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) -> {
            int whole = m / tile * tile;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    for (int q = 0; q < k; q++) {
                        int p = i < whole ? q : k - 1 - q;
                        float av = tA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        float bv = tB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        s += av * bv;
                    }
                    int ci = cOff + i * ldc + j;
                    c[ci] = alpha * s + (beta == 0f ? 0f : beta * c[ci]);
                }
            }
        };
    }

    @Test
    void probeFindsTheTileOrNone() {
        assertEquals(12, NativeRowBlock.probe(tiled(12)));
        assertEquals(16, NativeRowBlock.probe(tiled(16)));
        assertEquals(1, NativeRowBlock.probe(tiled(1)));
        BlockedGemm.Kernel dependsOnM = (tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) -> {
            tiled(1).run(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            for (int i = 0; i < m; i++) c[cOff + i * ldc] += m * 1e-3f;
        };
        assertEquals(0, NativeRowBlock.probe(dependsOnM));
    }

    @Test
    void paddedCallsGiveEveryRowItsResultInAWholeTile() {
        BlockedGemm.Kernel lib = tiled(12);
        Random rnd = new Random(3);
        int n = 19, k = 23, most = 50;
        for (boolean tA : new boolean[]{false, true}) {
            float[] a = new float[most * k], b = new float[k * n], c0 = new float[most * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < c0.length; i++) c0[i] = (float) rnd.nextGaussian();
            int lda = tA ? most : k;
            float[] full = c0.clone();
            lib.run(tA, false, 48, n, k, 0.5f, a, 0, lda, b, 0, n, 2f, full, 0, n); // whole tiles only
            for (int rows = 1; rows <= 48; rows++) {
                float[] c = c0.clone();
                NativeRowBlock.run(lib, 12, tA, false, rows, n, k, 0.5f, a, 0, lda, b, 0, n, 2f, c, 0, n);
                for (int i = 0; i < most * n; i++) {
                    float want = i < rows * n ? full[i] : c0[i]; // rows past m untouched
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(c[i]), "tA=" + tA + " rows=" + rows + " at " + i);
                }
            }
        }
    }

    /** Like OpenBLAS 0.3.30's Haswell sgemm on a 12-row tile: rows 6–11 of each whole tile sum downwards. */
    private static BlockedGemm.Kernel halves() {
        return (tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) -> {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    for (int q = 0; q < k; q++) {
                        int p = i % 12 < 6 ? q : k - 1 - q;
                        float av = tA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        float bv = tB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        s += av * bv;
                    }
                    int ci = cOff + i * ldc + j;
                    c[ci] = alpha * s + (beta == 0f ? 0f : beta * c[ci]);
                }
            }
        };
    }

    @Test
    void rowsGoOnlyToPlacesThatRoundLikeARowAlone() {
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5}, NativeRowBlock.slots(halves(), 12));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, NativeRowBlock.slots(tiled(12), 12));
        Random rnd = new Random(4);
        int n = 19, k = 23, most = 40;
        for (boolean tA : new boolean[]{false, true}) {
            float[] a = new float[most * k], b = new float[k * n], c0 = new float[most * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < c0.length; i++) c0[i] = (float) rnd.nextGaussian();
            int lda = tA ? most : k;
            int[] slots = {0, 1, 2, 3, 4, 5};
            float[] alone = new float[most * n]; // each row in a call of its own
            for (int r = 0; r < most; r++) {
                float[] c = c0.clone();
                NativeRowBlock.runInSlots(halves(), 12, slots, tA, false, 1, n, k, 0.5f, a, tA ? r : r * k, lda, b, 0, n, 2f, c, r * n, n);
                System.arraycopy(c, r * n, alone, r * n, n);
            }
            for (int first = 0; first < 7; first++) {
                for (int rows = 1; first + rows <= most; rows += 5) {
                    float[] c = c0.clone();
                    NativeRowBlock.runInSlots(halves(), 12, slots, tA, false, rows, n, k, 0.5f, a, tA ? first : first * k, lda,
                            b, 0, n, 2f, c, first * n, n);
                    for (int i = 0; i < most * n; i++) {
                        boolean inside = i >= first * n && i < (first + rows) * n;
                        float want = inside ? alone[i] : c0[i];
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(c[i]), "tA=" + tA + " rows [" + first + ", " + (first + rows) + ") at " + i);
                    }
                }
            }
        }
    }
}
