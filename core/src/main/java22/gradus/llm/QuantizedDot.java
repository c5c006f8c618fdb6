package gradus.llm;

import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.KQuants;
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
 * 1e-2 of the logits), and to Q8_K super-blocks (256 int8 with one float scale) for Q4_K and Q6_K. Without a usable vector width (fewer than 8 float lanes) a plain loop runs.
 */
final class QuantizedDot {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    static final boolean VECTORIZED = L >= 8 && L <= 16 && !Boolean.getBoolean("gradus.llm.scalar");
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
     * scale, x·(127/amax) rounded to nearest even. For the K-quants it follows quantize_row_q8_K_ref: per 256
     * elements the element of largest magnitude maps to −127, the scale stays a float, and {@code sums} holds
     * Σq of every 32 elements (Q4_K's mins multiply them).
     */
    record Activations(float[] values, float[] scales, float[] sums) {
        Activations(float[] values, float[] scales) {
            this(values, scales, null);
        }

        static Activations of(GgmlType weights, float[] x) {
            return switch (weights) {
                case F32 -> new Activations(x, null);
                case Q4_K, Q6_K -> quantizeQ8_K(x);
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

        private static Activations quantizeQ8_K(float[] x) {
            float[] q = new float[x.length], scales = new float[x.length / 256], sums = new float[x.length / 32];
            for (int b = 0; b < scales.length; b++) {
                float amax = 0, max = 0;
                for (int j = 256 * b; j < 256 * b + 256; j++) {
                    if (Math.abs(x[j]) > amax) {
                        amax = Math.abs(x[j]);
                        max = x[j];
                    }
                }
                if (amax == 0) continue; // q, scale and sums stay 0
                float inverse = -127f / max;
                scales[b] = 1 / inverse;
                for (int j = 256 * b; j < 256 * b + 256; j++) {
                    q[j] = Math.min(127, (float) Math.rint(inverse * x[j]));
                    sums[j / 32] += q[j];
                }
            }
            return new Activations(q, scales, sums);
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
            case Q4_K -> q4_K(seg, at, x, n);
            case Q6_K -> q6_K(seg, at, x, n);
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
        int size = n / x.scales.length;
        for (int b = 0; b < x.scales.length; b++) {
            float block = 0;
            for (int j = size * b; j < size * b + size; j++) block += row[j] * x.values[j];
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

    /**
     * Per super-block dx·(d·Σ_j sc_j·Σ q·q_x − dmin·Σ_j m_j·Σ q_x) over the eight 32-element sub-blocks j; the lanes
     * hold integers below 2^24, so everything before the two scales is exact.
     */
    private static float q4_K(MemorySegment seg, long at, Activations a, int n) {
        float[] x = a.values;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int b = 0; b < n / 256; b++) {
            long block = at + 144L * b;
            FloatVector sum = FloatVector.zero(F);
            float minSum = 0;
            for (int pair = 0; pair < 4; pair++) {
                int e = 256 * b + 64 * pair;
                FloatVector lo = FloatVector.zero(F), hi = FloatVector.zero(F);
                for (int j = 0; j < 32; j += L) {
                    ByteVector q = ByteVector.fromMemorySegment(B, seg, block + KQuants.Q4_K_QS + 32 * pair + j, LE);
                    lo = ((FloatVector) q.and((byte) 0xF).castShape(F, 0)).fma(FloatVector.fromArray(F, x, e + j), lo);
                    hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).castShape(F, 0)).fma(FloatVector.fromArray(F, x, e + 32 + j), hi);
                }
                sum = sum.add(lo.mul(KQuants.q4kScale(seg, block, 2 * pair, false)));
                sum = sum.add(hi.mul(KQuants.q4kScale(seg, block, 2 * pair + 1, false)));
                minSum += KQuants.q4kScale(seg, block, 2 * pair, true) * a.sums[e / 32]
                        + KQuants.q4kScale(seg, block, 2 * pair + 1, true) * a.sums[e / 32 + 1];
            }
            float dx = a.scales[b];
            acc = sum.fma(FloatVector.broadcast(F, dx * Float.float16ToFloat(seg.get(SHORT, block))), acc);
            mins += dx * Float.float16ToFloat(seg.get(SHORT, block + 2)) * minSum;
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    /** Per super-block d·dx·Σ_j sc_j·Σ (q − 32)·q_x over sixteen 16-element sub-blocks (exact integer lanes again). */
    private static float q6_K(MemorySegment seg, long at, Activations a, int n) {
        float[] x = a.values;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++) {
            long block = at + 210L * b;
            FloatVector sum = FloatVector.zero(F);
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l += L) {
                    ByteVector low = ByteVector.fromMemorySegment(B, seg, block + 64 * half + l, LE);
                    ByteVector low2 = ByteVector.fromMemorySegment(B, seg, block + 64 * half + 32 + l, LE);
                    ByteVector high = ByteVector.fromMemorySegment(B, seg, block + KQuants.Q6_K_QH + 32 * half + l, LE);
                    int e = 256 * b + 128 * half + l;
                    long scales = block + KQuants.Q6_K_SCALES + (128 * half + l) / 16;
                    sum = q6Part(low.and((byte) 0xF), high, 0, x, e, seg, scales, sum);
                    sum = q6Part(low2.and((byte) 0xF), high, 2, x, e + 32, seg, scales + 2, sum);
                    sum = q6Part(low.lanewise(VectorOperators.LSHR, 4), high, 4, x, e + 64, seg, scales + 4, sum);
                    sum = q6Part(low2.lanewise(VectorOperators.LSHR, 4), high, 6, x, e + 96, seg, scales + 6, sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(F, a.scales[b] * Float.float16ToFloat(seg.get(SHORT, block + KQuants.Q6_K_D))), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** sum + sc·(code − 32)·x for the codes whose low nibbles are {@code nibbles} and high bits sit at {@code shift} of {@code high}. */
    private static FloatVector q6Part(ByteVector nibbles, ByteVector high, int shift, float[] x, int e, MemorySegment seg, long scale,
                                      FloatVector sum) {
        ByteVector code = nibbles.or(high.lanewise(VectorOperators.LSHR, shift).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
        FloatVector product = ((FloatVector) code.castShape(F, 0)).mul(FloatVector.fromArray(F, x, e));
        return sum.add(product.mul(seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, scale)));
    }
}
