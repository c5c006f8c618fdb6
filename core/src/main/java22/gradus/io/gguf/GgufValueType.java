package gradus.io.gguf;

/** The metadata value types of GGUF, by their id in the file; {@code size} is the encoded size of a fixed-size one. */
public enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(-1), ARRAY(-1),
    UINT64(8), INT64(8), FLOAT64(8);

    private final int size;

    GgufValueType(int size) {
        this.size = size;
    }

    /** Bytes of one encoded value, or -1 for strings and arrays (length-prefixed). */
    public int size() {
        return size;
    }

    /** The fewest bytes one value can take: strings and arrays carry an 8- or 12-byte header. */
    int minSize() {
        return this == STRING ? 8 : this == ARRAY ? 12 : size;
    }

    public boolean isInteger() {
        return ordinal() <= INT32.ordinal() || this == UINT64 || this == INT64;
    }

    static GgufValueType byId(long id) {
        return id >= 0 && id < values().length ? values()[(int) id] : null;
    }
}
