package gradus.quant;

import java.util.Arrays;
import java.util.Locale;

/** How a quantized model stores its weights (see docs/compression.md for the file layout). */
public enum Scheme {
    /** I8 weights with one F32 scale per output row; activations quantized per row at run time (dynamic int8). */
    INT8,
    /** Weight-only 4-bit: U8 bytes of two values each, one F16 scale per group of inputs; float32 activations. */
    INT4,
    /** bfloat16 weights, float32 compute. */
    BF16,
    /** IEEE half weights, float32 compute. */
    F16;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scheme named {@code id} (int8, int4, bf16, f16), or an error listing them. */
    public static Scheme parse(String id) {
        for (Scheme s : values()) if (s.id().equalsIgnoreCase(id.trim())) return s;
        throw new IllegalArgumentException("unknown quantization scheme '" + id + "'; expected one of "
                + Arrays.stream(values()).map(Scheme::id).toList());
    }
}
