package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x and tanh(x) built from adds, multiplies, fused multiply-adds and bit shifts only, so every lane is the same
 * bit for bit whether the interpreter, C1 or C2 runs it. The Vector API's own {@code EXP} and {@code TANH} are a
 * Java loop over {@link Math#exp} until C2 replaces them with a vector library that rounds differently on about one
 * input in 80, so a model's outputs used to depend on when the JIT had finished.
 *
 * <p>e^x = 2^n · e^r with n = round(x·log₂e) and r = x − n·ln2 (|r| ≤ ln2/2, ln2 split in two parts so that r is
 * exact), e^r from its Taylor series to r⁷ (truncation below 6e-9 relative), 2^n as two exponent-field scalings so
 * that results below {@link Float#MIN_NORMAL} come out subnormal. Within 2 ulps of {@link Math#exp}.
 */
public final class VectorExp {
    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 0x1.8p23f; // v + ROUND − ROUND rounds v to an integer (|v| < 2²²)
    private static final float LO = -104f, HI = 89f; // e^x is 0 below, +∞ above
    private static final float[] TAYLOR = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};
    // tanh(x) near 0, where 1 − e^(−2|x|) would cancel: x + x³·(−1/3 + x²·(2/15 + x²·(−17/315 + x²·62/2835))).
    private static final float TANH_SMALL = 0.25f;
    private static final float[] TANH_ODD = {62f / 2835, -17f / 315, 2f / 15, -1f / 3};

    private VectorExp() {}

    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(LO).min(HI);
        FloatVector n = c.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(x.species(), -LN2_LO), n.fma(FloatVector.broadcast(x.species(), -LN2_HI), c));
        FloatVector p = FloatVector.broadcast(x.species(), TAYLOR[0]);
        for (int k = 1; k < TAYLOR.length; k++) p = p.fma(r, FloatVector.broadcast(x.species(), TAYLOR[k]));
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
        return p.mul(powerOfTwo(n1)).mul(powerOfTwo(n2));
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations in the same order, so the same bits. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, LO), HI);
        float n = c * LOG2E + ROUND - ROUND;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, c));
        float p = TAYLOR[0];
        for (int k = 1; k < TAYLOR.length; k++) p = Math.fma(p, r, TAYLOR[k]);
        int ni = (int) n, n1 = ni >> 1, n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector e = exp(a.mul(-2f));
        FloatVector big = e.neg().add(1f).div(e.add(1f)); // tanh|x| = (1 − e^(−2|x|)) / (1 + e^(−2|x|))
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        FloatVector x2 = x.mul(x), q = FloatVector.broadcast(x.species(), TANH_ODD[0]);
        for (int k = 1; k < TANH_ODD.length; k++) q = q.fma(x2, FloatVector.broadcast(x.species(), TANH_ODD[k]));
        FloatVector small = x.mul(x2).fma(q, x);
        small = small.blend(x, a.compare(VectorOperators.LT, 0x1p-12f)); // tanh x = x in float there, and ±0 keeps its sign
        return big.blend(small, a.compare(VectorOperators.LT, TANH_SMALL));
    }

    private static FloatVector powerOfTwo(IntVector n) {
        return n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }
}
