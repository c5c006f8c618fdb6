package gradus.kernels;

/**
 * An int8 matrix B [n, k] (a Linear weight [out, in]) packed once for {@link Int8Gemm}: columns of C in panels of
 * {@link Int8Gemm#PANEL} (B's rows), the depth padded with zeros to a multiple of 4, and within a panel, for each
 * pair of depths p, every column's two values side by side ({@code b[j][2p], b[j][2p+1]}), so one vector load
 * holds, per int lane, the pair that a lane of A's broadcast pair multiplies. Padding columns are zero.
 * Values must lie in [−127, 127] (symmetric quantization gives no −128): two products then fit a 16-bit lane.
 */
public final class Int8Panels {
    final int n, k, pairs, panels;
    final byte[] packed;
    private final int[] rowSums;

    private Int8Panels(int n, int k, byte[] packed, int[] rowSums) {
        this.n = n;
        this.k = k;
        this.pairs = Int8Gemm.paddedDepth(k) / 2;
        this.panels = (n + Int8Gemm.PANEL - 1) / Int8Gemm.PANEL;
        this.packed = packed;
        this.rowSums = rowSums;
    }

    /** B [n, k] (rows {@code ldb} apart from {@code off}) packed; a value of −128 is refused. */
    public static Int8Panels pack(byte[] b, int off, int n, int k, int ldb) {
        if (n <= 0 || k <= 0 || ldb < k) throw new IllegalArgumentException("int8 panels need positive sizes, got [" + n + ", " + k + "] with rows " + ldb + " apart");
        if (off < 0 || off + (long) (n - 1) * ldb + k > b.length) {
            throw new IllegalArgumentException("int8 matrix [" + n + ", " + k + "] from " + off + " with rows " + ldb
                    + " apart needs " + (off + (long) (n - 1) * ldb + k) + " values, got " + b.length);
        }
        int nr = Int8Gemm.PANEL, pairs = Int8Gemm.paddedDepth(k) / 2, panels = (n + nr - 1) / nr;
        byte[] packed = new byte[panels * pairs * nr * 2];
        int[] sums = new int[n];
        for (int j = 0; j < n; j++) {
            int base = j / nr * pairs * nr * 2 + j % nr * 2;
            for (int p = 0; p < k; p++) {
                byte v = b[off + j * ldb + p];
                if (v == Byte.MIN_VALUE) {
                    throw new IllegalArgumentException("int8 weight value −128 at [" + j + ", " + p + "]: the int8 kernel takes [−127, 127] (symmetric quantization)");
                }
                packed[base + p / 2 * nr * 2 + (p & 1)] = v;
                sums[j] += v;
            }
        }
        return new Int8Panels(n, k, packed, sums);
    }

    public int rows() {
        return n;
    }

    public int depth() {
        return k;
    }

    /** Σ_p B[j][p], which a zero point of A multiplies. */
    public int rowSum(int j) {
        return rowSums[j];
    }
}
