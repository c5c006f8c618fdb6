package gradus.io.gguf;

import gradus.kernels.HalfFloats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain-Java encoders and decoders of ggml's element types, following the block layouts of ggml-quants:
 * Q8_0 = fp16 scale d + 32 int8 (x = d·q); Q4_0 = fp16 d + 16 bytes of nibbles, the low nibbles holding
 * elements 0..15 and the high ones 16..31 (x = d·(q − 8)). The K-quants group 256 elements in a super-block:
 * Q4_K = fp16 d, fp16 dmin, 12 bytes packing eight 6-bit scales and eight 6-bit mins, 128 bytes of nibbles
 * (each 32 bytes hold sub-blocks 2k in the low and 2k+1 in the high nibbles; x = d·sc·q − dmin·m);
 * Q6_K = 128 bytes of low nibbles, 64 bytes of 2-bit high parts, sixteen int8 scales (one per 16
 * elements), fp16 d (x = d·sc·(q − 32)). The decoders are the reference the vectorized kernels are tested
 * against; Q8_0/Q4_0 encoders round the way ggml's reference quantizers do, the K-quant encoders use one plain
 * min/max pass (valid blocks, not ggml's error-minimizing search).
 */
public final class GgmlQuantization {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgmlQuantization() {}

    /** {@code values} encoded as {@code type}; its length must be a multiple of the block size. */
    public static byte[] encode(GgmlType type, float[] values) {
        if (values.length % type.blockSize() != 0) {
            throw new IllegalArgumentException(values.length + " values are not whole " + type + " blocks of " + type.blockSize());
        }
        byte[] out = new byte[(int) type.bytesFor(values.length)];
        MemorySegment seg = MemorySegment.ofArray(out);
        switch (type) {
            case F32 -> { for (int i = 0; i < values.length; i++) seg.set(FLOAT, 4L * i, values[i]); }
            case F16 -> { for (int i = 0; i < values.length; i++) seg.set(SHORT, 2L * i, Float.floatToFloat16(values[i])); }
            case BF16 -> { for (int i = 0; i < values.length; i++) seg.set(SHORT, 2L * i, HalfFloats.floatToBf16(values[i])); }
            case Q8_0 -> { for (int b = 0; b < values.length / 32; b++) encodeQ8_0(values, 32 * b, seg, 34L * b); }
            case Q4_0 -> { for (int b = 0; b < values.length / 32; b++) encodeQ4_0(values, 32 * b, seg, 18L * b); }
            case Q4_K -> { for (int b = 0; b < values.length / 256; b++) KQuants.encodeQ4_K(values, 256 * b, seg, 144L * b); }
            case Q6_K -> { for (int b = 0; b < values.length / 256; b++) KQuants.encodeQ6_K(values, 256 * b, seg, 210L * b); }
            default -> throw new UnsupportedOperationException("encoding " + type + " is not implemented");
        }
        return out;
    }

    /** Decodes {@code n} elements starting at byte {@code offset} of {@code seg} into {@code out[o..]}. */
    public static void decode(GgmlType type, MemorySegment seg, long offset, int n, float[] out, int o) {
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) out[o + i] = seg.get(FLOAT, offset + 4L * i); }
            case F16 -> { for (int i = 0; i < n; i++) out[o + i] = Float.float16ToFloat(seg.get(SHORT, offset + 2L * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[o + i] = Float.intBitsToFloat(seg.get(SHORT, offset + 2L * i) << 16); }
            case Q8_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    long at = offset + 34L * b;
                    float d = Float.float16ToFloat(seg.get(SHORT, at));
                    for (int j = 0; j < 32; j++) out[o + 32 * b + j] = d * seg.get(ValueLayout.JAVA_BYTE, at + 2 + j);
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    long at = offset + 18L * b;
                    float d = Float.float16ToFloat(seg.get(SHORT, at));
                    for (int j = 0; j < 16; j++) {
                        int q = seg.get(ValueLayout.JAVA_BYTE, at + 2 + j) & 0xFF;
                        out[o + 32 * b + j] = d * ((q & 0xF) - 8);
                        out[o + 32 * b + j + 16] = d * ((q >>> 4) - 8);
                    }
                }
            }
            case Q4_K -> { for (int b = 0; b < n / 256; b++) KQuants.decodeQ4_K(seg, offset + 144L * b, out, o + 256 * b); }
            case Q6_K -> { for (int b = 0; b < n / 256; b++) KQuants.decodeQ6_K(seg, offset + 210L * b, out, o + 256 * b); }
            default -> throw new UnsupportedOperationException("decoding " + type + " is not implemented");
        }
    }

    private static void encodeQ8_0(float[] x, int from, MemorySegment seg, long at) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[from + j]));
        float d = amax / 127f, id = d != 0 ? 1f / d : 0f;
        seg.set(SHORT, at, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) seg.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) roundHalfAway(x[from + j] * id));
    }

    private static void encodeQ4_0(float[] x, int from, MemorySegment seg, long at) {
        float amax = 0, max = 0; // the element of largest magnitude, with its sign
        for (int j = 0; j < 32; j++) {
            if (Math.abs(x[from + j]) > amax) {
                amax = Math.abs(x[from + j]);
                max = x[from + j];
            }
        }
        float d = max / -8f, id = d != 0 ? 1f / d : 0f;
        seg.set(SHORT, at, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (x[from + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[from + j + 16] * id + 8.5f));
            seg.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) (lo | hi << 4));
        }
    }

    /** C's roundf: halves go away from zero (Math.round sends -2.5 to -2). */
    private static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs(v) + 0.5), v);
    }
}
