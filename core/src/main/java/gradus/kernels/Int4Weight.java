package gradus.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight W [out, in] as 4-bit integers with one scale per group of {@code group} consecutive inputs of a row
 * (32, 64 or 128: a multiple of 32 dividing {@code in}), multiplied with float32 activations. Each 32-value
 * block is 16 bytes laid out as llama.cpp's Q4_0: byte t holds value t in its low nibble and value t + 16 in
 * its high one, each stored as q + 8 (q in [−8, 7]), so W = scale·q. Scales are rounded to float16 (as
 * stored). Nibbles are widened to floats in registers, each vector used for 4 rows of X.
 */
public final class Int4Weight implements WeightProduct {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int L = F.length();
    private static final boolean VECTORIZED = L >= 8 && 16 % L == 0;
    private static final VectorSpecies<Byte> B = VECTORIZED ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;

    private final int out, in, group;
    private final byte[] packed;
    private final float[] scales;

    /** Wraps stored values: {@code packed} [out·in/2], {@code scales} [out·in/group]. */
    public Int4Weight(byte[] packed, float[] scales, int out, int in, int group) {
        checkGroup(in, group);
        if (out <= 0) throw new IllegalArgumentException("an int4 weight needs positive sizes, got [" + out + ", " + in + "]");
        if (packed.length != (long) out * in / 2) throw new IllegalArgumentException("int4 weight [" + out + ", " + in + "] needs " + (long) out * in / 2 + " bytes, got " + packed.length);
        if (scales.length != (long) out * (in / group)) throw new IllegalArgumentException("int4 weight [" + out + ", " + in + "] in groups of " + group + " needs " + (long) out * (in / group) + " scales, got " + scales.length);
        this.out = out;
        this.in = in;
        this.group = group;
        this.packed = packed;
        this.scales = scales;
    }

    /** Fails unless {@code group} is a positive multiple of 32 that divides {@code in}. */
    public static void checkGroup(int in, int group) {
        if (group <= 0 || group % 32 != 0) throw new IllegalArgumentException("int4 group size must be a positive multiple of 32 (32, 64, 128), got " + group);
        if (in <= 0 || in % group != 0) throw new IllegalArgumentException("int4 group size " + group + " does not divide the input width " + in);
    }

    /**
     * W [out, in] (row-major from {@code off}) quantized per group: scale = m/−8 where m is the value of largest
     * magnitude (so it maps to −8 exactly), rounded to float16; q = round(w/scale) clamped to [−8, 7].
     */
    public static Int4Weight quantize(float[] w, int off, int out, int in, int group) {
        checkGroup(in, group);
        byte[] packed = new byte[out * in / 2];
        float[] scales = new float[out * (in / group)];
        for (int g = 0; g < scales.length; g++) {
            int from = off + g * group;
            float max = 0;
            for (int p = 0; p < group; p++) if (Math.abs(w[from + p]) > Math.abs(max)) max = w[from + p];
            if (!Float.isFinite(max)) throw new IllegalArgumentException("cannot quantize a weight holding " + max);
            float d = Float.float16ToFloat(Float.floatToFloat16(max / -8f)), inverse = d != 0 ? 1f / d : 0f;
            scales[g] = d;
            for (int p = 0; p < group; p++) {
                int q = Math.max(-8, Math.min(7, (int) Math.rint(w[from + p] * inverse)));
                int e = g * group + p, byteAt = e / 32 * 16 + e % 16;
                packed[byteAt] |= (byte) ((q + 8) << (e % 32 < 16 ? 0 : 4));
            }
        }
        return new Int4Weight(packed, scales, out, in, group);
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    public int group() {
        return group;
    }

    public byte[] packed() {
        return packed;
    }

    public float[] scales() {
        return scales;
    }

    /** q of element (j, p), in [−8, 7]. */
    public int q(int j, int p) {
        int e = j * in + p, b = packed[e / 32 * 16 + e % 16] & 0xFF;
        return (e % 32 < 16 ? b & 0xF : b >>> 4) - 8;
    }

    public float[] dequantize() {
        float[] w = new float[out * in];
        for (int j = 0; j < out; j++) for (int p = 0; p < in; p++) w[j * in + p] = scales[(j * in + p) / group] * q(j, p);
        return w;
    }

    @Override
    public void multiply(int m, float[] x, int xOff, int ldx, float[] bias, boolean gelu, float[] y, int yOff, int ldy) {
        if (m <= 0) return;
        FloatRows.run(m, out, in, (i0, i1, j0, j1) -> {
            float[] lanes = new float[L];
            for (int j = j0; j < j1; j++) {
                int i = i0;
                if (VECTORIZED) for (; i + 4 <= i1; i += 4) rows4(x, xOff + i * ldx, ldx, j, bias, y, yOff + i * ldy + j, ldy, lanes);
                for (; i < i1; i++) y[yOff + i * ldy + j] = dot(x, xOff + i * ldx, j, lanes) + (bias == null ? 0f : bias[j]);
            }
        });
        if (gelu) WeightProduct.gelu(m, y, yOff, ldy, out);
    }

    /** Four rows of X times weight row j. */
    private void rows4(float[] x, int x0, int ldx, int j, float[] bias, float[] y, int y0, int ldy, float[] lanes) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int blocks = in / 32, perGroup = group / 32, sg = j * (in / group), pb = j * in / 2;
        for (int b = 0; b < blocks; b++) {
            FloatVector scale = FloatVector.broadcast(F, scales[sg + b / perGroup]);
            for (int t = 0; t < 16; t += L) {
                ByteVector q = ByteVector.fromArray(B, packed, pb + 16 * b + t);
                FloatVector lo = ((FloatVector) q.and((byte) 0xF).sub((byte) 8).castShape(F, 0)).mul(scale);
                FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).castShape(F, 0)).mul(scale);
                int p = 32 * b + t;
                c0 = hi.fma(FloatVector.fromArray(F, x, x0 + p + 16), lo.fma(FloatVector.fromArray(F, x, x0 + p), c0));
                c1 = hi.fma(FloatVector.fromArray(F, x, x0 + ldx + p + 16), lo.fma(FloatVector.fromArray(F, x, x0 + ldx + p), c1));
                c2 = hi.fma(FloatVector.fromArray(F, x, x0 + 2 * ldx + p + 16), lo.fma(FloatVector.fromArray(F, x, x0 + 2 * ldx + p), c2));
                c3 = hi.fma(FloatVector.fromArray(F, x, x0 + 3 * ldx + p + 16), lo.fma(FloatVector.fromArray(F, x, x0 + 3 * ldx + p), c3));
            }
        }
        float b = bias == null ? 0f : bias[j];
        y[y0] = FloatRows.sum(c0, lanes) + b;
        y[y0 + ldy] = FloatRows.sum(c1, lanes) + b;
        y[y0 + 2 * ldy] = FloatRows.sum(c2, lanes) + b;
        y[y0 + 3 * ldy] = FloatRows.sum(c3, lanes) + b;
    }

    /** One row of X times weight row j. */
    private float dot(float[] x, int x0, int j, float[] lanes) {
        int blocks = in / 32, perGroup = group / 32, sg = j * (in / group), pb = j * in / 2;
        if (!VECTORIZED) {
            float s = 0;
            for (int p = 0; p < in; p++) s += scales[sg + p / group] * q(j, p) * x[x0 + p];
            return s;
        }
        FloatVector c = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            FloatVector sum = FloatVector.zero(F);
            for (int t = 0; t < 16; t += L) {
                ByteVector q = ByteVector.fromArray(B, packed, pb + 16 * b + t);
                FloatVector lo = (FloatVector) q.and((byte) 0xF).sub((byte) 8).castShape(F, 0);
                FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).castShape(F, 0);
                sum = hi.fma(FloatVector.fromArray(F, x, x0 + 32 * b + t + 16), lo.fma(FloatVector.fromArray(F, x, x0 + 32 * b + t), sum));
            }
            c = sum.fma(FloatVector.broadcast(F, scales[sg + b / perGroup]), c);
        }
        return FloatRows.sum(c, lanes);
    }
}
