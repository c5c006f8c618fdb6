package gradus.tensor;

/** The element type of a {@link Tensor}'s storage. */
public enum DType {
    /** 32-bit IEEE floats: the fast paths (Vector API, OpenBLAS) and every model. */
    FLOAT32(4),
    /** 64-bit IEEE doubles: computed by the plain-Java reference backend; gradient checks run here. */
    FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
