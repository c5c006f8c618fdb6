package gradus.io.gguf;

/**
 * The tensor element types of GGUF (ggml's {@code ggml_type} ids) that Gradus reads. Quantized types store
 * {@link #blockSize()} elements in {@link #blockBytes()} bytes; a row's length must be a whole number of blocks.
 */
public enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q8_0(8, 32, 34), Q4_K(12, 256, 144), Q6_K(14, 256, 210), BF16(30, 1, 2);

    private final int id, blockSize, blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int id() {
        return id;
    }

    public int blockSize() {
        return blockSize;
    }

    public int blockBytes() {
        return blockBytes;
    }

    /** The type with this ggml id, or null when Gradus does not read it. */
    public static GgmlType byId(long id) {
        for (GgmlType t : values()) {
            if (t.id == id) return t;
        }
        return null;
    }

    /** Bytes taken by {@code elements} elements (a multiple of the block size); -1 when that overflows a long. */
    public long bytesFor(long elements) {
        long blocks = elements / blockSize;
        return blocks > Long.MAX_VALUE / blockBytes ? -1 : blocks * blockBytes;
    }
}
