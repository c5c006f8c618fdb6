package gradus.io.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ggml's K-quant super-blocks of 256 elements (layouts in {@link GgmlQuantization}'s summary), in plain Java.
 * Q4_K: bytes 0–1 d, 2–3 dmin, 4–15 the packed 6-bit scales and mins, 16–143 nibbles.
 * Q6_K: bytes 0–127 low nibbles, 128–191 high 2-bit parts, 192–207 int8 scales, 208–209 d.
 */
public final class KQuants {
    public static final int Q4_K_SCALES = 4, Q4_K_QS = 16;
    public static final int Q6_K_QH = 128, Q6_K_SCALES = 192, Q6_K_D = 208;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KQuants() {}

    /**
     * The 6-bit scale (or, with {@code min}, the 6-bit min) of sub-block {@code j} (0–7) of the Q4_K block at
     * {@code block}: sub-blocks 0–3 sit in the low 6 bits of bytes 0–3 (mins 4–7); sub-blocks 4–7 take their
     * low 4 bits from bytes 8–11 and their top 2 bits from the spare top bits of bytes 0–3 (mins: 4–7).
     */
    public static int q4kScale(MemorySegment seg, long block, int j, boolean min) {
        long s = block + Q4_K_SCALES;
        if (j < 4) return byteAt(seg, s + j + (min ? 4 : 0)) & 63;
        int low = byteAt(seg, s + j + 4);
        return (min ? low >>> 4 : low & 0xF) | (byteAt(seg, s + j - 4 + (min ? 4 : 0)) >>> 6) << 4;
    }

    static void decodeQ4_K(MemorySegment seg, long block, float[] out, int o) {
        float d = half(seg, block), dmin = half(seg, block + 2);
        for (int pair = 0; pair < 4; pair++) {
            float d1 = d * q4kScale(seg, block, 2 * pair, false), m1 = dmin * q4kScale(seg, block, 2 * pair, true);
            float d2 = d * q4kScale(seg, block, 2 * pair + 1, false), m2 = dmin * q4kScale(seg, block, 2 * pair + 1, true);
            for (int l = 0; l < 32; l++) {
                int q = byteAt(seg, block + Q4_K_QS + 32 * pair + l);
                out[o + 64 * pair + l] = d1 * (q & 0xF) - m1;
                out[o + 64 * pair + 32 + l] = d2 * (q >>> 4) - m2;
            }
        }
    }

    /** Element e of a Q6_K block: its 6-bit code minus 32 (the scale of element e is byte {@code Q6_K_SCALES + e/16}). */
    public static int q6kCode(MemorySegment seg, long block, int e) {
        int half = e / 128, l = e % 32, quarter = e % 128 / 32; // quarters 0,1 use low nibbles of ql[l], ql[l+32]; 2,3 the high ones
        int ql = byteAt(seg, block + 64 * half + l + (quarter & 1) * 32);
        int nibble = quarter < 2 ? ql & 0xF : ql >>> 4;
        int high = byteAt(seg, block + Q6_K_QH + 32 * half + l) >>> (2 * quarter) & 3;
        return (nibble | high << 4) - 32;
    }

    static void decodeQ6_K(MemorySegment seg, long block, float[] out, int o) {
        float d = half(seg, block + Q6_K_D);
        for (int e = 0; e < 256; e++) out[o + e] = d * seg.get(ValueLayout.JAVA_BYTE, block + Q6_K_SCALES + e / 16) * q6kCode(seg, block, e);
    }

    /** One min/max pass per 32-element sub-block: scale (max − min)/15 and min −min(0, min x), both in 6 bits of fp16 d, dmin. */
    static void encodeQ4_K(float[] x, int from, MemorySegment seg, long block) {
        float[] scale = new float[8], min = new float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float lo = 0, hi = -Float.MAX_VALUE;
            for (int l = 0; l < 32; l++) {
                lo = Math.min(lo, x[from + 32 * j + l]);
                hi = Math.max(hi, x[from + 32 * j + l]);
            }
            scale[j] = (hi - lo) / 15;
            min[j] = -lo;
            maxScale = Math.max(maxScale, scale[j]);
            maxMin = Math.max(maxMin, min[j]);
        }
        short dBits = Float.floatToFloat16(maxScale / 63), dminBits = Float.floatToFloat16(maxMin / 63);
        float d = Float.float16ToFloat(dBits), dmin = Float.float16ToFloat(dminBits);
        seg.set(SHORT, block, dBits);
        seg.set(SHORT, block + 2, dminBits);
        int[] sc = new int[8], m = new int[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = d == 0 ? 0 : clamp(Math.round(scale[j] / d), 0, 63);
            m[j] = dmin == 0 ? 0 : clamp(Math.round(min[j] / dmin), 0, 63);
        }
        long s = block + Q4_K_SCALES;
        for (int j = 0; j < 4; j++) {
            setByte(seg, s + j, sc[j] | (sc[j + 4] >>> 4) << 6);
            setByte(seg, s + 4 + j, m[j] | (m[j + 4] >>> 4) << 6);
            setByte(seg, s + 8 + j, (sc[j + 4] & 0xF) | (m[j + 4] & 0xF) << 4);
        }
        int[] q = new int[256];
        for (int e = 0; e < 256; e++) {
            float step = d * sc[e / 32], offset = dmin * m[e / 32];
            q[e] = step == 0 ? 0 : clamp(Math.round((x[from + e] + offset) / step), 0, 15);
        }
        for (int pair = 0; pair < 4; pair++) {
            for (int l = 0; l < 32; l++) setByte(seg, block + Q4_K_QS + 32 * pair + l, q[64 * pair + l] | q[64 * pair + 32 + l] << 4);
        }
    }

    /** Per 16 elements a scale amax/31 held as an int8 multiple of fp16 d; codes round to −32..31. */
    static void encodeQ6_K(float[] x, int from, MemorySegment seg, long block) {
        float[] scale = new float[16];
        float maxScale = 0;
        for (int j = 0; j < 16; j++) {
            float amax = 0;
            for (int l = 0; l < 16; l++) amax = Math.max(amax, Math.abs(x[from + 16 * j + l]));
            scale[j] = amax / 31;
            maxScale = Math.max(maxScale, scale[j]);
        }
        short dBits = Float.floatToFloat16(maxScale / 127);
        float d = Float.float16ToFloat(dBits);
        seg.set(SHORT, block + Q6_K_D, dBits);
        int[] sc = new int[16];
        for (int j = 0; j < 16; j++) {
            sc[j] = d == 0 ? 0 : clamp(Math.round(scale[j] / d), -128, 127);
            setByte(seg, block + Q6_K_SCALES + j, sc[j]);
        }
        int[] q = new int[256];
        for (int e = 0; e < 256; e++) {
            float step = d * sc[e / 16];
            q[e] = (step == 0 ? 0 : clamp(Math.round(x[from + e] / step), -32, 31)) + 32;
        }
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * half + l;
                setByte(seg, block + 64 * half + l, (q[e] & 0xF) | (q[e + 64] & 0xF) << 4);
                setByte(seg, block + 64 * half + 32 + l, (q[e + 32] & 0xF) | (q[e + 96] & 0xF) << 4);
                setByte(seg, block + Q6_K_QH + 32 * half + l,
                        q[e] >>> 4 | (q[e + 32] >>> 4) << 2 | (q[e + 64] >>> 4) << 4 | (q[e + 96] >>> 4) << 6);
            }
        }
    }

    private static float half(MemorySegment seg, long at) {
        return Float.float16ToFloat(seg.get(SHORT, at));
    }

    private static int byteAt(MemorySegment seg, long at) {
        return seg.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static void setByte(MemorySegment seg, long at, int v) {
        seg.set(ValueLayout.JAVA_BYTE, at, (byte) v);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
