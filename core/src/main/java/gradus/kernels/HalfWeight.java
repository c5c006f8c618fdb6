package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight W [out, in] stored as 16-bit floats (bfloat16 or IEEE half), multiplied in float32: each vector of
 * weights is widened in registers and used for 4 rows of X at once; no float copy of W is made.
 */
public final class HalfWeight implements WeightProduct {
    /** The two 16-bit formats. */
    public enum Format { BF16, F16 }

    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int L = F.length();
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private final Format format;
    private final int out, in;
    private final short[] bits;

    /** Wraps stored bits: {@code bits} [out·in] row-major. */
    public HalfWeight(Format format, short[] bits, int out, int in) {
        if (out <= 0 || in <= 0) throw new IllegalArgumentException("a 16-bit weight needs positive sizes, got [" + out + ", " + in + "]");
        if (bits.length != (long) out * in) throw new IllegalArgumentException(format + " weight [" + out + ", " + in + "] needs " + (long) out * in + " values, got " + bits.length);
        this.format = format;
        this.out = out;
        this.in = in;
        this.bits = bits;
    }

    /** W [out, in] (row-major from {@code off}) rounded to nearest even. */
    public static HalfWeight of(Format format, float[] w, int off, int out, int in) {
        short[] bits = new short[out * in];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = format == Format.BF16 ? HalfFloats.floatToBf16(w[off + i]) : Float.floatToFloat16(w[off + i]);
        }
        return new HalfWeight(format, bits, out, in);
    }

    public Format format() {
        return format;
    }

    public short[] bits() {
        return bits;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    public float value(int i) {
        return format == Format.BF16 ? HalfFloats.bf16ToFloat(bits[i]) : Float.float16ToFloat(bits[i]);
    }

    public float[] dequantize() {
        float[] w = new float[bits.length];
        for (int i = 0; i < w.length; i++) w[i] = value(i);
        return w;
    }

    private FloatVector load(int at) {
        IntVector h = (IntVector) ShortVector.fromArray(S, bits, at).convertShape(VectorOperators.S2I, I, 0);
        return format == Format.BF16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.halfToFloat(h.and(0xFFFF));
    }

    /** Σ over the inputs from {@code from} on (past the last whole vector). */
    private float tail(int w0, float[] x, int x0, int from) {
        float s = 0;
        for (int q = from; q < in; q++) s += value(w0 + q) * x[x0 + q];
        return s;
    }

    @Override
    public void multiply(int m, float[] x, int xOff, int ldx, float[] bias, boolean gelu, float[] y, int yOff, int ldy) {
        if (m <= 0) return;
        FloatRows.run(m, out, in, (i0, i1, j0, j1) -> {
            float[] lanes = new float[L];
            for (int j = j0; j < j1; j++) {
                int w0 = j * in, i = i0;
                for (; i + 4 <= i1; i += 4) {
                    int x0 = xOff + i * ldx;
                    FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
                    int p = 0;
                    for (int up = F.loopBound(in); p < up; p += L) {
                        FloatVector w = load(w0 + p);
                        c0 = w.fma(FloatVector.fromArray(F, x, x0 + p), c0);
                        c1 = w.fma(FloatVector.fromArray(F, x, x0 + ldx + p), c1);
                        c2 = w.fma(FloatVector.fromArray(F, x, x0 + 2 * ldx + p), c2);
                        c3 = w.fma(FloatVector.fromArray(F, x, x0 + 3 * ldx + p), c3);
                    }
                    float b = bias == null ? 0f : bias[j];
                    y[yOff + i * ldy + j] = FloatRows.sum(c0, lanes) + tail(w0, x, x0, p) + b;
                    y[yOff + (i + 1) * ldy + j] = FloatRows.sum(c1, lanes) + tail(w0, x, x0 + ldx, p) + b;
                    y[yOff + (i + 2) * ldy + j] = FloatRows.sum(c2, lanes) + tail(w0, x, x0 + 2 * ldx, p) + b;
                    y[yOff + (i + 3) * ldy + j] = FloatRows.sum(c3, lanes) + tail(w0, x, x0 + 3 * ldx, p) + b;
                }
                for (; i < i1; i++) {
                    int x0 = xOff + i * ldx;
                    FloatVector c = FloatVector.zero(F);
                    int p = 0;
                    for (int up = F.loopBound(in); p < up; p += L) c = load(w0 + p).fma(FloatVector.fromArray(F, x, x0 + p), c);
                    y[yOff + i * ldy + j] = FloatRows.sum(c, lanes) + tail(w0, x, x0, p) + (bias == null ? 0f : bias[j]);
                }
            }
        });
        if (gelu) WeightProduct.gelu(m, y, yOff, ldy, out);
    }
}
