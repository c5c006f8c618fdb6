package gradus.data;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The contents of an IDX file: element type, dimensions and the elements as stored (big-endian,
 * row-major). MNIST-style images are {@code UNSIGNED_BYTE [N, rows, cols]}, labels {@code UNSIGNED_BYTE [N]}.
 */
public record IdxData(IdxType type, int[] shape, byte[] data) {
    public IdxData {
        shape = shape.clone();
        long bytes = type.bytes;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            bytes = d == 0 || bytes == 0 ? 0 : bytes <= Long.MAX_VALUE / d ? bytes * d : Long.MAX_VALUE; // saturates, never wraps
        }
        if (bytes != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + type + " needs "
                    + (bytes == Long.MAX_VALUE ? "more than 2^63" : Long.toString(bytes)) + " bytes, got " + data.length);
        }
    }

    /** Unsigned bytes with the given shape (the bytes are not copied). */
    public static IdxData unsignedBytes(byte[] data, int... shape) {
        return new IdxData(IdxType.UNSIGNED_BYTE, shape, data);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The number of elements. */
    public int count() {
        return data.length / type.bytes;
    }

    /** The elements as floats, each multiplied by {@code scale} (e.g. {@code 1/255f} for pixels). */
    public float[] toFloats(float scale) {
        float[] out = new float[count()];
        if (type == IdxType.UNSIGNED_BYTE) {
            for (int i = 0; i < out.length; i++) out[i] = (data[i] & 0xFF) * scale;
            return out;
        }
        ByteBuffer buf = ByteBuffer.wrap(data); // big-endian, as IDX stores
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (type) {
                case SIGNED_BYTE -> buf.get();
                case SHORT -> buf.getShort();
                case INT -> buf.getInt();
                case FLOAT -> buf.getFloat();
                case DOUBLE -> (float) buf.getDouble();
                case UNSIGNED_BYTE -> throw new AssertionError();
            } * scale;
        }
        return out;
    }

    /** The elements as ints; only for the integer types. */
    public int[] toInts() {
        int[] out = new int[count()];
        ByteBuffer buf = ByteBuffer.wrap(data);
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (type) {
                case UNSIGNED_BYTE -> data[i] & 0xFF;
                case SIGNED_BYTE -> data[i];
                case SHORT -> buf.getShort(2 * i);
                case INT -> buf.getInt(4 * i);
                case FLOAT, DOUBLE -> throw new IllegalStateException("IDX data of type " + type + " are not integers");
            };
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxData d && type == d.type && Arrays.equals(shape, d.shape) && Arrays.equals(data, d.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxData(" + type + " " + Arrays.toString(shape) + ")";
    }
}
