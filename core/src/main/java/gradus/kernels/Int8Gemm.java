package gradus.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·Bᵀ for int8 A [m, k] and B [n, k] (both rows along the depth, B as a Linear weight [out, in]) into
 * int32 C [m, n], exact (for k below 2¹⁷). The Vector API has no int8 dot-product instruction (x86's VNNI
 * {@code vpdpbusd}, 64 multiply-adds per instruction, or even {@code vpmaddwd}): bytes are sign-extended to int
 * lanes and multiplied as 32-bit integers, 16 multiply-adds per instruction pair, so this runs below the float
 * kernels' speed; the int8 storage pays off where the weights stream from memory (few rows). A variant that
 * multiplied shorts and added pairs in 16 bits was not compiled to vector code by C2 (JDK 25) and ran 10× slower.
 */
public final class Int8Gemm {
    private static final int BITS = VectorWidth.bits();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, BITS / 4)));
    /** Depth consumed per int vector; the loop takes two at a time (each load reads B.length() ≥ STEP bytes). */
    private static final int STEP = I.length();
    /** Rows of A and of B per block a thread takes: both blocks (64·k bytes each) stay in L2. */
    private static final int BLOCK = 64;

    private Int8Gemm() {}

    /** Receives each finished C[i][j]. */
    @FunctionalInterface
    public interface Sink {
        void put(int i, int j, int value);
    }

    /** C [m, n] (rows {@code ldc} apart) = A·Bᵀ; A rows {@code lda} apart, B rows {@code ldb} apart. */
    public static void multiply(int m, int n, int k, byte[] a, int lda, byte[] b, int ldb, int[] c, int ldc) {
        multiply(m, n, k, a, lda, b, ldb, (i, j, v) -> c[i * ldc + j] = v);
    }

    /**
     * C = A·Bᵀ handed to {@code sink} element by element (from several threads, each element once), so callers
     * rescale into floats without an int32 buffer. Blocks of {@link #BLOCK} rows of A × BLOCK rows of B are split
     * over the cores; each block runs in tiles of 4 rows of A × 2 of B (8 accumulators).
     */
    public static void multiply(int m, int n, int k, byte[] a, int lda, byte[] b, int ldb, Sink sink) {
        checkSize(m, k, a, lda, "A");
        checkSize(n, k, b, ldb, "B");
        int mBlocks = (m + BLOCK - 1) / BLOCK, nBlocks = (n + BLOCK - 1) / BLOCK;
        // Matrix-vector products split finer: each thread streams its share of B once.
        int nb = m <= 4 ? Math.max(2, (n + 2 * Parallel.threads() - 1) / (2 * Parallel.threads()) / 2 * 2) : BLOCK;
        int nTiles = (n + nb - 1) / nb;
        long work = (long) m * n * k;
        Parallel.forRange(mBlocks * nTiles, work < (1 << 18) ? Integer.MAX_VALUE : 1, (t0, t1) -> {
            int[] tile = new int[8];
            for (int t = t0; t < t1; t++) {
                int i0 = t / nTiles * BLOCK, j0 = t % nTiles * nb;
                block(i0, Math.min(m, i0 + BLOCK), j0, Math.min(n, j0 + nb), k, a, lda, b, ldb, sink, tile);
            }
        });
    }

    private static void block(int i0, int i1, int j0, int j1, int k, byte[] a, int lda, byte[] b, int ldb, Sink sink, int[] tile) {
        for (int j = j0; j < j1; j += 2) {
            int cols = Math.min(2, j1 - j);
            int i = i0;
            if (cols == 2) {
                for (; i + 4 <= i1; i += 4) {
                    tile4x2(a, i * lda, lda, b, j * ldb, ldb, k, tile);
                    for (int r = 0; r < 4; r++) {
                        sink.put(i + r, j, tile[2 * r]);
                        sink.put(i + r, j + 1, tile[2 * r + 1]);
                    }
                }
                for (; i < i1; i++) {
                    tile1x2(a, i * lda, b, j * ldb, ldb, k, tile);
                    sink.put(i, j, tile[0]);
                    sink.put(i, j + 1, tile[1]);
                }
            } else {
                for (; i < i1; i++) sink.put(i, j, dot(a, i * lda, b, j * ldb, k));
            }
        }
    }

    /** STEP bytes from {@code at} sign-extended to int lanes (at 128 bits, 8 bytes are read and the first 4 used). */
    private static IntVector widen(byte[] x, int at) {
        return (IntVector) ByteVector.fromArray(B, x, at).castShape(I, 0);
    }

    private static IntVector accumulate(IntVector acc, IntVector products) {
        return acc.add(products);
    }

    private static void tile4x2(byte[] a, int a0, int lda, byte[] b, int b0, int ldb, int k, int[] out) {
        IntVector c00 = IntVector.zero(I), c01 = c00, c10 = c00, c11 = c00,
                c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int p = 0;
        for (int up = k - STEP - B.length(); p <= up; p += 2 * STEP) {
            IntVector b0x = widen(b, b0 + p), b0y = widen(b, b0 + p + STEP);
            IntVector b1x = widen(b, b0 + ldb + p), b1y = widen(b, b0 + ldb + p + STEP);
            IntVector x = widen(a, a0 + p), y = widen(a, a0 + p + STEP);
            c00 = accumulate(c00, x.mul(b0x).add(y.mul(b0y)));
            c01 = accumulate(c01, x.mul(b1x).add(y.mul(b1y)));
            x = widen(a, a0 + lda + p);
            y = widen(a, a0 + lda + p + STEP);
            c10 = accumulate(c10, x.mul(b0x).add(y.mul(b0y)));
            c11 = accumulate(c11, x.mul(b1x).add(y.mul(b1y)));
            x = widen(a, a0 + 2 * lda + p);
            y = widen(a, a0 + 2 * lda + p + STEP);
            c20 = accumulate(c20, x.mul(b0x).add(y.mul(b0y)));
            c21 = accumulate(c21, x.mul(b1x).add(y.mul(b1y)));
            x = widen(a, a0 + 3 * lda + p);
            y = widen(a, a0 + 3 * lda + p + STEP);
            c30 = accumulate(c30, x.mul(b0x).add(y.mul(b0y)));
            c31 = accumulate(c31, x.mul(b1x).add(y.mul(b1y)));
        }
        // one by one: an array of vectors would box them (and, in C2, the loop's accumulators with them)
        out[0] = c00.reduceLanes(VectorOperators.ADD) + tail(a, a0, b, b0, p, k);
        out[1] = c01.reduceLanes(VectorOperators.ADD) + tail(a, a0, b, b0 + ldb, p, k);
        out[2] = c10.reduceLanes(VectorOperators.ADD) + tail(a, a0 + lda, b, b0, p, k);
        out[3] = c11.reduceLanes(VectorOperators.ADD) + tail(a, a0 + lda, b, b0 + ldb, p, k);
        out[4] = c20.reduceLanes(VectorOperators.ADD) + tail(a, a0 + 2 * lda, b, b0, p, k);
        out[5] = c21.reduceLanes(VectorOperators.ADD) + tail(a, a0 + 2 * lda, b, b0 + ldb, p, k);
        out[6] = c30.reduceLanes(VectorOperators.ADD) + tail(a, a0 + 3 * lda, b, b0, p, k);
        out[7] = c31.reduceLanes(VectorOperators.ADD) + tail(a, a0 + 3 * lda, b, b0 + ldb, p, k);
    }

    private static void tile1x2(byte[] a, int a0, byte[] b, int b0, int ldb, int k, int[] out) {
        IntVector c0 = IntVector.zero(I), c1 = c0;
        int p = 0;
        for (int up = k - STEP - B.length(); p <= up; p += 2 * STEP) {
            IntVector x = widen(a, a0 + p), y = widen(a, a0 + p + STEP);
            c0 = accumulate(c0, x.mul(widen(b, b0 + p)).add(y.mul(widen(b, b0 + p + STEP))));
            c1 = accumulate(c1, x.mul(widen(b, b0 + ldb + p)).add(y.mul(widen(b, b0 + ldb + p + STEP))));
        }
        out[0] = c0.reduceLanes(VectorOperators.ADD) + tail(a, a0, b, b0, p, k);
        out[1] = c1.reduceLanes(VectorOperators.ADD) + tail(a, a0, b, b0 + ldb, p, k);
    }

    private static int dot(byte[] a, int a0, byte[] b, int b0, int k) {
        IntVector c = IntVector.zero(I);
        int p = 0;
        for (int up = k - STEP - B.length(); p <= up; p += 2 * STEP) {
            c = accumulate(c, widen(a, a0 + p).mul(widen(b, b0 + p)).add(widen(a, a0 + p + STEP).mul(widen(b, b0 + p + STEP))));
        }
        return c.reduceLanes(VectorOperators.ADD) + tail(a, a0, b, b0, p, k);
    }

    private static int tail(byte[] a, int a0, byte[] b, int b0, int from, int k) {
        int s = 0;
        for (int p = from; p < k; p++) s += a[a0 + p] * b[b0 + p];
        return s;
    }

    /** The reference: a plain triple loop. */
    public static void reference(int m, int n, int k, byte[] a, int lda, byte[] b, int ldb, int[] c, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int s = 0;
                for (int p = 0; p < k; p++) s += a[i * lda + p] * b[j * ldb + p];
                c[i * ldc + j] = s;
            }
        }
    }

    private static void checkSize(int rows, int k, byte[] x, int ld, String name) {
        if (rows < 0 || k < 0 || ld < k) throw new IllegalArgumentException(name + ": " + rows + "×" + k + " with rows " + ld + " apart");
        if (rows > 0 && (long) (rows - 1) * ld + k > x.length) {
            throw new IllegalArgumentException(name + ": " + rows + "×" + k + " with rows " + ld + " apart needs "
                    + ((long) (rows - 1) * ld + k) + " bytes, got " + x.length);
        }
    }
}
