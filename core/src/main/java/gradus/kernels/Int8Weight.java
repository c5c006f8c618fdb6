package gradus.kernels;

/**
 * A weight W [out, in] as int8 with one symmetric scale per output row (W[j][·] ≈ scale[j]·q[j][·], q in
 * [−127, 127]), and the dynamic-quantization product: each row of X is quantized to int8 with its own scale at
 * run time, the int8 product runs on {@link Int8Gemm}, and Y = scaleₓ[i]·scale[j]·C[i][j] + bias[j].
 */
public final class Int8Weight implements WeightProduct {
    private final int out, in;
    private final byte[] q;
    private final float[] scales;

    /** Wraps stored values: {@code q} [out·in] row-major, {@code scales} [out]. */
    public Int8Weight(byte[] q, float[] scales, int out, int in) {
        if (out <= 0 || in <= 0) throw new IllegalArgumentException("an int8 weight needs positive sizes, got [" + out + ", " + in + "]");
        if (q.length != (long) out * in) throw new IllegalArgumentException("int8 weight [" + out + ", " + in + "] needs " + (long) out * in + " values, got " + q.length);
        if (scales.length != out) throw new IllegalArgumentException("int8 weight [" + out + ", " + in + "] needs " + out + " scales, got " + scales.length);
        this.out = out;
        this.in = in;
        this.q = q;
        this.scales = scales;
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
        byte[] xq = new byte[m * in];
        float[] xs = new float[m];
        for (int i = 0; i < m; i++) xs[i] = quantizeRow(x, xOff + i * ldx, in, xq, i * in);
        Int8Gemm.multiply(m, out, in, xq, in, q, in, (i, j, v) ->
                y[yOff + i * ldy + j] = v * (xs[i] * scales[j]) + (bias == null ? 0f : bias[j]));
        if (gelu) WeightProduct.gelu(m, y, yOff, ldy, out);
    }
}
