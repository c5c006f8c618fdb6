package gradus.llm;

import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgmlType;
import gradus.kernels.HalfFloats;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Dot products of a float vector with one row of ggml-encoded weights read straight from a (mapped) segment:
 * blocks are widened to floats in registers with the Vector API, never into a float copy of the row.
 * The activations are first rounded as llama.cpp's CPU backend rounds them for each weight type (its
 * {@code vec_dot_type}): to F16 for F16 weights, BF16 for BF16, and to Q8_0 blocks for Q8_0 and Q4_0, so the
 * products agree with llama.cpp's to float rounding rather than to the activation quantization error (about
 * 1e-2 of the logits). Without a usable vector width (fewer than 8 float lanes) a plain loop runs.
 */
final class QuantizedDot {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    static final boolean VECTORIZED = L >= 8 && 32 % L == 0 && !Boolean.getBoolean("gradus.llm.scalar");
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Byte> B = VECTORIZED ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    private static final VectorSpecies<Short> S = VECTORIZED ? VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16)) : null;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final java.lang.foreign.ValueLayout.OfShort SHORT =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private QuantizedDot() {}

    /**
     * An activation vector as the kernels of one weight type consume it: {@code values} are x itself (F32),
     * x rounded to F16 or BF16, or for Q8_0/Q4_0 the integers q of x ≈ scale·q held in floats, with one scale
     * (rounded to F16) per 32-block. Quantization follows llama.cpp's x86 quantize_row_q8_0: amax/127 as the
     * scale, x·(127/amax) rounded to nearest even.
     */
    record Activations(float[] values, float[] scales) {
        static Activations of(GgmlType weights, float[] x) {
            return switch (weights) {
                case F32 -> new Activations(x, null);
                case F16 -> {
                    float[] r = new float[x.length];
                    for (int i = 0; i < x.length; i++) r[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
                    yield new Activations(r, null);
                }
                case BF16 -> {
                    float[] r = new float[x.length];
                    for (int i = 0; i < x.length; i++) r[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(x[i]));
                    yield new Activations(r, null);
                }
                case Q8_0, Q4_0 -> quantizeQ8_0(x);
                default -> throw new UnsupportedOperationException(weights + " weights are not supported by the matrix kernels yet");
            };
        }

        private static Activations quantizeQ8_0(float[] x) {
            float[] q = new float[x.length], scales = new float[x.length / 32];
            for (int b = 0; b < scales.length; b++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
                scales[b] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
                float inverse = amax != 0 ? 127f / amax : 0f;
                for (int j = 0; j < 32; j++) q[32 * b + j] = (float) Math.rint(x[32 * b + j] * inverse);
            }
            return new Activations(q, scales);
        }
    }

    /** Σ row[i]·x[i] over {@code n} elements of the {@code type}-encoded row starting at byte {@code at}. */
    static float dot(GgmlType type, MemorySegment seg, long at, Activations x, int n) {
        if (!VECTORIZED) return scalar(type, seg, at, x, n);
        return switch (type) {
            case F32 -> f32(seg, at, x.values, n);
            case F16 -> f16(seg, at, x.values, n);
            case BF16 -> bf16(seg, at, x.values, n);
            case Q8_0 -> q8_0(seg, at, x.values, x.scales, n);
            case Q4_0 -> q4_0(seg, at, x.values, x.scales, n);
            default -> throw new UnsupportedOperationException(type + " weights are not supported by the matrix kernels yet");
        };
    }

    /** The reference: decode the row, then a plain loop (per block for quantized activations). */
    static float scalar(GgmlType type, MemorySegment seg, long at, Activations x, int n) {
        float[] row = new float[n];
        GgmlQuantization.decode(type, seg, at, n, row, 0);
        float sum = 0;
        if (x.scales == null) {
            for (int i = 0; i < n; i++) sum += row[i] * x.values[i];
            return sum;
        }
        for (int b = 0; b < n / 32; b++) {
            float block = 0;
            for (int j = 32 * b; j < 32 * b + 32; j++) block += row[j] * x.values[j];
            sum += block * x.scales[b];
        }
        return sum;
    }

    private static float f32(MemorySegment seg, long at, float[] x, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            acc = FloatVector.fromMemorySegment(F, seg, at + 4L * i, LE).fma(FloatVector.fromArray(F, x, i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += seg.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE), at + 4L * i) * x[i];
        return sum;
    }

    private static float f16(MemorySegment seg, long at, float[] x, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            IntVector h = ((IntVector) ShortVector.fromMemorySegment(S, seg, at + 2L * i, LE).castShape(I, 0)).and(0xFFFF);
            acc = HalfFloats.halfToFloat(h).fma(FloatVector.fromArray(F, x, i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += Float.float16ToFloat(seg.get(SHORT, at + 2L * i)) * x[i];
        return sum;
    }

    private static float bf16(MemorySegment seg, long at, float[] x, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, at + 2L * i, LE).castShape(I, 0);
            acc = HalfFloats.bf16ToFloat(h).fma(FloatVector.fromArray(F, x, i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += Float.intBitsToFloat(seg.get(SHORT, at + 2L * i) << 16) * x[i];
        return sum;
    }

    /** Σ over blocks of d_w·d_x·Σ q_w·q_x; the inner sums are exact in float (|Σ| ≤ 32·127·127 < 2^24). */
    private static float q8_0(MemorySegment seg, long at, float[] x, float[] scales, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 32; b++) {
            long block = at + 34L * b;
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 32; j += L) {
                FloatVector w = (FloatVector) ByteVector.fromMemorySegment(B, seg, block + 2 + j, LE).castShape(F, 0);
                sum = w.fma(FloatVector.fromArray(F, x, 32 * b + j), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, block)) * scales[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static float q4_0(MemorySegment seg, long at, float[] x, float[] scales, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 32; b++) {
            long block = at + 18L * b;
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 16; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, block + 2 + j, LE);
                FloatVector lo = (FloatVector) q.and((byte) 0xF).sub((byte) 8).castShape(F, 0);
                FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).castShape(F, 0);
                sum = lo.fma(FloatVector.fromArray(F, x, 32 * b + j), sum);
                sum = hi.fma(FloatVector.fromArray(F, x, 32 * b + 16 + j), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, block)) * scales[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
