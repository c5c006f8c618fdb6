package gradus.io.onnx;

/** ONNX element types that Gradus reads: floating ones become float32 tensors, the others exact integers. */
public enum DataType {
    FLOAT(1, 4), UINT8(2, 1), INT8(3, 1), UINT16(4, 2), INT16(5, 2), INT32(6, 4), INT64(7, 8), BOOL(9, 1),
    FLOAT16(10, 2), DOUBLE(11, 8), UINT32(12, 4), UINT64(13, 8), BFLOAT16(16, 2);

    /** The number in {@code TensorProto.DataType}. */
    public final int code;
    /** Bytes per element in {@code raw_data}. */
    final int bytes;

    DataType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    boolean isFloat() {
        return this == FLOAT || this == FLOAT16 || this == DOUBLE || this == BFLOAT16;
    }

    /** The type for an ONNX code; {@code where} names the tensor or attribute in the error. */
    static DataType of(int code, String where) {
        for (DataType t : values()) if (t.code == code) return t;
        throw new IllegalArgumentException(where + " has element type " + code + " (" + name(code) + "), which Gradus does not support");
    }

    private static String name(int code) {
        return switch (code) {
            case 0 -> "UNDEFINED";
            case 8 -> "STRING";
            case 14 -> "COMPLEX64";
            case 15 -> "COMPLEX128";
            default -> "unknown";
        };
    }
}
