package gradus.federated;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** Weight vectors on the wire: little-endian float32, base64 in JSON. */
public final class Floats {
    private Floats() {}

    public static String encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(v.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    /** Decodes {@code text}, which must hold exactly {@code expected} floats; {@code what} names it in errors. */
    public static float[] decode(String text, int expected, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not base64: " + e.getMessage());
        }
        if (bytes.length != (long) expected * 4) {
            throw new IllegalArgumentException(what + " has " + bytes.length + " bytes, expected " + (long) expected * 4 + " (" + expected + " float32 values)");
        }
        float[] out = new float[expected];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
