package gradus.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·Bᵀ for int8 A [m, k] and B [n, k] (B a Linear weight [out, in], packed once as {@link Int8Panels}) into
 * int32, exact, handed to an {@link Epilogue} one tile at a time so callers rescale whole rows in vectors.
 *
 * <p>The Vector API has no int8 dot-product instruction (x86's VNNI {@code vpdpbusd}, 64 multiply-adds per
 * instruction, nor {@code vpmaddwd}). This kernel multiplies in 16-bit lanes instead: A's values come in pairs of
 * depths packed into one int ({@link #pair}) and broadcast; B's pairs are widened to shorts on load, so one 16-bit
 * multiply does two multiply-adds per int lane, and two of them (four depths) are summed in 16 bits, which holds
 * since |a·b| ≤ 128·127. The pair of 16-bit sums (hi, lo) of each int lane is widened lazily: 32768 is added to lo
 * (so lo' = lo + 32768 lies in [0, 65535]), the int lanes are summed as they are (T) and their high halves with an
 * arithmetic shift (X = Σ hi), and at the end Σ(hi + lo) = T − 65535·X − 32768·(steps). That is seven vector
 * operations per 64 multiply-adds (per 16 columns), where sign-extending to ints costs eight per 16.
 * Tiles are {@link #ROWS} rows × {@link #PANEL} columns (two int vectors) with no reduction across lanes.
 */
public final class Int8Gemm {
    private static final int BITS = VectorWidth.bits();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(BITS / 2));
    private static final int L = I.length();
    /** Columns of C per tile: two int vectors. */
    public static final int PANEL = 2 * L;
    /** Rows of C per tile (16 accumulators at two per output vector). */
    public static final int ROWS = 4;
    /** Rows of A a thread takes at a time: their packed pairs (ROWS_PER_TASK·k·2 bytes) stay in L1/L2. */
    private static final int ROWS_PER_TASK = 64;

    private Int8Gemm() {}

    /** Receives the finished C[i0 .. i0+rows)[j0 .. j0+cols) in {@code c} (row r at r·{@link #PANEL}). */
    @FunctionalInterface
    public interface Epilogue {
        void tile(int i0, int rows, int j0, int cols, int[] c);
    }

    /** The depth padded to a whole number of steps (4 values). */
    public static int paddedDepth(int k) {
        return (k + 3) & ~3;
    }

    /** Two int8 values of A (depths 2p and 2p+1) in one int, as the kernel reads them. */
    public static int pair(int even, int odd) {
        return (even & 0xffff) | (odd << 16);
    }

    /** A [m, k] (rows {@code lda} apart) as pairs: int [m, paddedDepth(k)/2], zero-padded. */
    public static int[] packRows(int m, int k, byte[] a, int off, int lda) {
        int pairs = paddedDepth(k) / 2;
        int[] out = new int[m * pairs];
        for (int i = 0; i < m; i++) packRow(a, off + i * lda, k, out, i * pairs);
        return out;
    }

    /** k int8 values from {@code a[from]} as pairs into {@code out[at ..]} (paddedDepth(k)/2 ints). */
    public static void packRow(byte[] a, int from, int k, int[] out, int at) {
        int p = 0;
        for (; p + 1 < k; p += 2) out[at + p / 2] = pair(a[from + p], a[from + p + 1]);
        if (p < k) out[at + p / 2] = pair(a[from + p], 0);
        for (int q = (k + 1) / 2; q < paddedDepth(k) / 2; q++) out[at + q] = 0;
    }

    /** C [m, n] (rows {@code ldc} apart) = A·Bᵀ for plain row-major int8 A and B (B packed on the way). */
    public static void multiply(int m, int n, int k, byte[] a, int lda, byte[] b, int ldb, int[] c, int ldc) {
        checkSize(m, k, a, lda, "A");
        checkSize(n, k, b, ldb, "B");
        if (m == 0 || n == 0) return;
        if (k == 0) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, i * ldc, i * ldc + n, 0);
            return;
        }
        multiply(m, packRows(m, k, a, 0, lda), Int8Panels.pack(b, 0, n, k, ldb), (i0, rows, j0, cols, t) -> {
            for (int r = 0; r < rows; r++) System.arraycopy(t, r * PANEL, c, (i0 + r) * ldc + j0, cols);
        });
    }

    /**
     * C = A·Bᵀ for A packed by {@link #packRows} (m rows of paddedDepth(k)/2 ints), every tile handed to
     * {@code epilogue} once (from several threads; tiles are disjoint). Work is split over the cores in blocks of
     * {@link #ROWS_PER_TASK} rows × one panel.
     */
    public static void multiply(int m, int[] a, Int8Panels b, Epilogue epilogue) {
        if (m <= 0) return;
        int pairs = b.pairs;
        if (a.length < (long) m * pairs) {
            throw new IllegalArgumentException("packed A of " + m + " rows needs " + (long) m * pairs + " ints, got " + a.length);
        }
        int blocks = (m + ROWS_PER_TASK - 1) / ROWS_PER_TASK, panels = b.panels;
        long work = (long) m * b.n * b.k;
        Parallel.forRange(blocks * panels, work < (1 << 18) ? Integer.MAX_VALUE : 1, (t0, t1) -> {
            int[] tile = new int[ROWS * PANEL];
            for (int t = t0; t < t1; t++) {
                int i0 = t / panels * ROWS_PER_TASK, i1 = Math.min(m, i0 + ROWS_PER_TASK), panel = t % panels;
                int j0 = panel * PANEL, cols = Math.min(PANEL, b.n - j0), b0 = panel * pairs * PANEL * 2;
                int i = i0;
                for (; i + ROWS <= i1; i += ROWS) {
                    tile4(a, i * pairs, pairs, b.packed, b0, tile);
                    epilogue.tile(i, ROWS, j0, cols, tile);
                }
                for (; i < i1; i++) {
                    tile1(a, i * pairs, b.packed, b0, pairs, tile);
                    epilogue.tile(i, 1, j0, cols, tile);
                }
            }
        });
    }

    /** 2L bytes of B (L columns × a pair of depths) widened to 16-bit lanes. */
    private static ShortVector widen(byte[] b, int at) {
        return (ShortVector) ByteVector.fromArray(B, b, at).convertShape(VectorOperators.B2S, S, 0);
    }

    /** A pair of A's values in every int lane, seen as 2L shorts. */
    private static ShortVector broadcast(int pair) {
        return IntVector.broadcast(I, pair).reinterpretAsShorts();
    }

    /** Σ(hi + lo) per int lane from the lazy sums T and X over {@code steps} steps (see the class comment). */
    private static IntVector finish(IntVector t, IntVector x, int steps) {
        return t.sub(x.lanewise(VectorOperators.LSHL, 16)).add(x).sub(32768 * steps);
    }

    private static void tile4(int[] a, int a0, int pairs, byte[] b, int b0, int[] c) {
        IntVector t00 = IntVector.zero(I), t01 = t00, t10 = t00, t11 = t00, t20 = t00, t21 = t00, t30 = t00, t31 = t00;
        IntVector x00 = t00, x01 = t00, x10 = t00, x11 = t00, x20 = t00, x21 = t00, x30 = t00, x31 = t00;
        ShortVector bias = IntVector.broadcast(I, 0x8000).reinterpretAsShorts();
        int a1 = a0 + pairs, a2 = a1 + pairs, a3 = a2 + pairs;
        for (int p = 0, at = b0; p < pairs; p += 2, at += 4 * PANEL) {
            ShortVector w0 = widen(b, at), w1 = widen(b, at + 2 * L);
            ShortVector v0 = widen(b, at + 2 * PANEL), v1 = widen(b, at + 2 * PANEL + 2 * L);
            ShortVector e = broadcast(a[a0 + p]), o = broadcast(a[a0 + p + 1]);
            IntVector s0 = e.mul(w0).add(o.mul(v0)).add(bias).reinterpretAsInts();
            IntVector s1 = e.mul(w1).add(o.mul(v1)).add(bias).reinterpretAsInts();
            t00 = t00.add(s0);
            x00 = x00.add(s0.lanewise(VectorOperators.ASHR, 16));
            t01 = t01.add(s1);
            x01 = x01.add(s1.lanewise(VectorOperators.ASHR, 16));
            e = broadcast(a[a1 + p]);
            o = broadcast(a[a1 + p + 1]);
            s0 = e.mul(w0).add(o.mul(v0)).add(bias).reinterpretAsInts();
            s1 = e.mul(w1).add(o.mul(v1)).add(bias).reinterpretAsInts();
            t10 = t10.add(s0);
            x10 = x10.add(s0.lanewise(VectorOperators.ASHR, 16));
            t11 = t11.add(s1);
            x11 = x11.add(s1.lanewise(VectorOperators.ASHR, 16));
            e = broadcast(a[a2 + p]);
            o = broadcast(a[a2 + p + 1]);
            s0 = e.mul(w0).add(o.mul(v0)).add(bias).reinterpretAsInts();
            s1 = e.mul(w1).add(o.mul(v1)).add(bias).reinterpretAsInts();
            t20 = t20.add(s0);
            x20 = x20.add(s0.lanewise(VectorOperators.ASHR, 16));
            t21 = t21.add(s1);
            x21 = x21.add(s1.lanewise(VectorOperators.ASHR, 16));
            e = broadcast(a[a3 + p]);
            o = broadcast(a[a3 + p + 1]);
            s0 = e.mul(w0).add(o.mul(v0)).add(bias).reinterpretAsInts();
            s1 = e.mul(w1).add(o.mul(v1)).add(bias).reinterpretAsInts();
            t30 = t30.add(s0);
            x30 = x30.add(s0.lanewise(VectorOperators.ASHR, 16));
            t31 = t31.add(s1);
            x31 = x31.add(s1.lanewise(VectorOperators.ASHR, 16));
        }
        int steps = pairs / 2;
        finish(t00, x00, steps).intoArray(c, 0);
        finish(t01, x01, steps).intoArray(c, L);
        finish(t10, x10, steps).intoArray(c, PANEL);
        finish(t11, x11, steps).intoArray(c, PANEL + L);
        finish(t20, x20, steps).intoArray(c, 2 * PANEL);
        finish(t21, x21, steps).intoArray(c, 2 * PANEL + L);
        finish(t30, x30, steps).intoArray(c, 3 * PANEL);
        finish(t31, x31, steps).intoArray(c, 3 * PANEL + L);
    }

    private static void tile1(int[] a, int a0, byte[] b, int b0, int pairs, int[] c) {
        IntVector t0 = IntVector.zero(I), t1 = t0, x0 = t0, x1 = t0;
        ShortVector bias = IntVector.broadcast(I, 0x8000).reinterpretAsShorts();
        for (int p = 0, at = b0; p < pairs; p += 2, at += 4 * PANEL) {
            ShortVector e = broadcast(a[a0 + p]), o = broadcast(a[a0 + p + 1]);
            IntVector s0 = e.mul(widen(b, at)).add(o.mul(widen(b, at + 2 * PANEL))).add(bias).reinterpretAsInts();
            IntVector s1 = e.mul(widen(b, at + 2 * L)).add(o.mul(widen(b, at + 2 * PANEL + 2 * L))).add(bias).reinterpretAsInts();
            t0 = t0.add(s0);
            x0 = x0.add(s0.lanewise(VectorOperators.ASHR, 16));
            t1 = t1.add(s1);
            x1 = x1.add(s1.lanewise(VectorOperators.ASHR, 16));
        }
        finish(t0, x0, pairs / 2).intoArray(c, 0);
        finish(t1, x1, pairs / 2).intoArray(c, L);
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
