package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight W [out, in] as int8 with one symmetric scale per output row (W[j][·] ≈ scale[j]·q[j][·], q in
 * [−127, 127]), and the dynamic-quantization product: each row of X is quantized to int8 with its own scale at
 * run time, the int8 product runs on {@link Int8Gemm} (the weight packed once, at construction), and
 * Y = scaleₓ[i]·scale[j]·C[i][j] + bias[j] (then GELU) is applied tile by tile in vectors.
 */
public final class Int8Weight implements WeightProduct {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);
    private static final VectorSpecies<Short> HALF_SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Adding and subtracting 1.5·2²³ rounds a float below 2²² to the nearest integer, halves to even (as Math.rint). */
    private static final float ROUNDING = 12582912f;
    private final int out, in;
    private final byte[] q;
    private final float[] scales;
    private final Int8Panels panels;

    /** Wraps stored values: {@code q} [out·in] row-major, {@code scales} [out]. */
    public Int8Weight(byte[] q, float[] scales, int out, int in) {
        if (out <= 0 || in <= 0) throw new IllegalArgumentException("an int8 weight needs positive sizes, got [" + out + ", " + in + "]");
        if (q.length != (long) out * in) throw new IllegalArgumentException("int8 weight [" + out + ", " + in + "] needs " + (long) out * in + " values, got " + q.length);
        if (scales.length != out) throw new IllegalArgumentException("int8 weight [" + out + ", " + in + "] needs " + out + " scales, got " + scales.length);
        this.out = out;
        this.in = in;
        this.q = q;
        this.scales = scales;
        this.panels = Int8Panels.pack(q, 0, out, in, in);
    }

    /** W [out, in] (row-major from {@code off}) quantized per row: scale = max|row|/127, q = round(w/scale). */
    public static Int8Weight quantize(float[] w, int off, int out, int in) {
        byte[] q = new byte[out * in];
        float[] scales = new float[out];
        for (int j = 0; j < out; j++) scales[j] = quantizeRow(w, off + j * in, in, q, j * in);
        return new Int8Weight(q, scales, out, in);
    }

    /**
     * x[from..from+n) as int8 into q[at..]: scale = max|x|/127 (0 for a zero row), q = x/scale rounded to nearest
     * (halves to even); returns the scale.
     */
    public static float quantizeRow(float[] x, int from, int n, byte[] q, int at) {
        float amax = 0;
        for (int p = 0; p < n; p++) amax = Math.max(amax, Math.abs(x[from + p]));
        if (!(amax > 0) || !Float.isFinite(amax)) {
            if (Float.isNaN(amax) || Float.isInfinite(amax)) throw new IllegalArgumentException("cannot quantize a row holding " + amax);
            java.util.Arrays.fill(q, at, at + n, (byte) 0);
            return 0f;
        }
        float inverse = 127f / amax;
        for (int p = 0; p < n; p++) q[at + p] = (byte) Math.rint(x[from + p] * inverse);
        return amax / 127f;
    }

    /**
     * x[from..from+n) quantized as {@link #quantizeRow} does, written as {@link Int8Gemm#pair pairs} into
     * out[at ..] (Int8Gemm.paddedDepth(n)/2 ints, zero-padded); returns the scale.
     */
    public static float quantizeRowPairs(float[] x, int from, int n, int[] out, int at) {
        int l = F.length(), p = 0;
        FloatVector m = FloatVector.zero(F);
        for (; p + l <= n; p += l) m = m.max(FloatVector.fromArray(F, x, from + p).abs());
        float amax = m.reduceLanes(VectorOperators.MAX);
        for (; p < n; p++) amax = Math.max(amax, Math.abs(x[from + p]));
        int pairs = Int8Gemm.paddedDepth(n) / 2;
        if (!(amax > 0) || !Float.isFinite(amax)) {
            if (Float.isNaN(amax) || Float.isInfinite(amax)) throw new IllegalArgumentException("cannot quantize a row holding " + amax);
            java.util.Arrays.fill(out, at, at + pairs, 0);
            return 0f;
        }
        float inverse = 127f / amax;
        p = 0;
        for (; p + l <= n; p += l) {
            FloatVector v = FloatVector.fromArray(F, x, from + p).mul(inverse).add(ROUNDING).sub(ROUNDING);
            ((IntVector) v.convert(VectorOperators.F2I, 0)).convertShape(VectorOperators.I2S, HALF_SHORTS, 0)
                    .reinterpretAsInts().intoArray(out, at + p / 2);
        }
        for (; p < n; p += 2) {
            int even = (int) ((x[from + p] * inverse + ROUNDING) - ROUNDING);
            int odd = p + 1 < n ? (int) ((x[from + p + 1] * inverse + ROUNDING) - ROUNDING) : 0;
            out[at + p / 2] = Int8Gemm.pair(even, odd);
        }
        for (int t = (n + 1) / 2; t < pairs; t++) out[at + t] = 0;
        return amax / 127f;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    public byte[] values() {
        return q;
    }

    /** The values packed for {@link Int8Gemm}. */
    public Int8Panels panels() {
        return panels;
    }

    public float[] scales() {
        return scales;
    }

    /** W as floats (scale·q), for checks and for layers that need a float copy. */
    public float[] dequantize() {
        float[] w = new float[out * in];
        for (int j = 0; j < out; j++) for (int p = 0; p < in; p++) w[j * in + p] = scales[j] * q[j * in + p];
        return w;
    }

    @Override
    public void multiply(int m, float[] x, int xOff, int ldx, float[] bias, boolean gelu, float[] y, int yOff, int ldy) {
        if (m <= 0) return;
        int pairs = Int8Gemm.paddedDepth(in) / 2;
        int[] xq = new int[m * pairs];
        float[] xs = new float[m];
        for (int i = 0; i < m; i++) xs[i] = quantizeRowPairs(x, xOff + i * ldx, in, xq, i * pairs);
        Int8Gemm.multiply(m, xq, panels, (i0, rows, j0, cols, c) -> {
            for (int r = 0; r < rows; r++) {
                int at = yOff + (i0 + r) * ldy + j0;
                rescale(c, r * Int8Gemm.PANEL, cols, xs[i0 + r], scales, bias, j0, y, at);
                if (gelu) GeluKernel.forward(y, at, y, at, cols);
            }
        });
    }

    /** y[at + j] = c[from + j]·(sx·ws[j0 + j]) + bias[j0 + j] for j in [0, cols). */
    public static void rescale(int[] c, int from, int cols, float sx, float[] ws, float[] bias, int j0, float[] y, int at) {
        int l = F.length(), j = 0;
        for (; j + l <= cols; j += l) {
            FloatVector v = ((FloatVector) IntVector.fromArray(INTS, c, from + j)
                    .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, ws, j0 + j).mul(sx));
            if (bias != null) v = v.add(FloatVector.fromArray(F, bias, j0 + j));
            v.intoArray(y, at + j);
        }
        for (; j < cols; j++) y[at + j] = c[from + j] * (sx * ws[j0 + j]) + (bias == null ? 0f : bias[j0 + j]);
    }
}
