package gradus.federated;

/**
 * Floats to the ring Z/2^64 and back, with {@value #FRACTION_BITS} fractional bits: Java's long arithmetic wraps
 * modulo 2^64, so masked sums need no explicit reduction. Each value is rounded, so the sum of n quantized values
 * is within n·2^-{@value #FRACTION_BITS}/2 of the float sum; the sum must stay within ±2^{@value #RANGE_BITS}.
 */
public final class FixedPoint {
    public static final int FRACTION_BITS = 24;
    public static final int RANGE_BITS = 62 - FRACTION_BITS;
    private static final double SCALE = 1L << FRACTION_BITS;
    private static final double LIMIT = Math.scalb(1.0, RANGE_BITS - 10); // leaves room for the sum of 1024 clients

    private FixedPoint() {}

    public static long[] encode(float[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!(Math.abs(v) <= LIMIT)) {
                throw new IllegalArgumentException("value " + v + " at index " + i + " is outside the fixed-point range ±" + LIMIT);
            }
            out[i] = Math.round(v * SCALE);
        }
        return out;
    }

    public static float[] decode(long[] ring) {
        float[] out = new float[ring.length];
        for (int i = 0; i < ring.length; i++) out[i] = (float) (ring[i] / SCALE);
        return out;
    }

    /** The largest error of a decoded sum of {@code n} encoded values, before float rounding. */
    public static double sumError(int n) {
        return n * 0.5 / SCALE;
    }
}
