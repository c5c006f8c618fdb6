package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** 16-bit floats (IEEE half and bfloat16) widened to float32 in vector registers. */
public final class HalfFloats {
    private HalfFloats() {}

    /**
     * IEEE half bits (in the low 16 bits of each lane) to floats: the exponent and mantissa shifted into float
     * position and rescaled by 2^112 (which also makes subnormals exact); infinities and NaNs patched in.
     */
    public static FloatVector halfToFloat(IntVector h) {
        IntVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        FloatVector value = magnitude.reinterpretAsFloats().mul(0x1p112f);
        VectorMask<Integer> special = h.and(0x7c00).eq(0x7c00);
        IntVector bits = value.reinterpretAsInts().blend(magnitude.or(0x7f800000), special);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** bfloat16 bits (in the low 16 bits of each lane; the upper bits are ignored) to floats: the upper half of a float32. */
    public static FloatVector bf16ToFloat(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** Round to nearest even, keeping NaN a NaN (ggml's and PyTorch's fp32→bf16). */
    public static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    public static float bf16ToFloat(short h) {
        return Float.intBitsToFloat(h << 16);
    }
}
