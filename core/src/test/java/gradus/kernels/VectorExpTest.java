package gradus.kernels;

import gradus.ChildJvm;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VectorExpTest {
    private static final int L = VectorMath.SPECIES.length();

    /** −110 to 95 in steps of about 0.004, rounded up to whole vectors, with the special values in the last one. */
    private static float[] inputs() {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -1e-30f,
                88.72f, 88.73f, -87.33f, -103.9f, -104.1f, 1e-8f, -0.25f, 0.25f, 0.2499999f};
        int n = (50_000 + special.length + L - 1) / L * L;
        float[] x = new float[n];
        for (int i = 0; i < n - special.length; i++) x[i] = -110f + 205f * i / (n - special.length);
        System.arraycopy(special, 0, x, n - special.length, special.length);
        return x;
    }

    // One loop per kernel, nothing else in it, so that C2 compiles each to vector instructions (a shared loop
    // choosing between them would leave the vectors boxed and run the Java fallback even when compiled).
    private static float[] exp(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) VectorExp.exp(FloatVector.fromArray(VectorMath.SPECIES, x, i)).intoArray(y, i);
        return y;
    }

    private static float[] tanh(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) VectorExp.tanh(FloatVector.fromArray(VectorMath.SPECIES, x, i)).intoArray(y, i);
        return y;
    }

    private static void assertWithinUlps(double expected, float actual, int ulps, String what) {
        float e = (float) expected;
        if (Float.isNaN(e) || Float.isInfinite(e) || e == 0f) {
            assertEquals(e, actual, what);
            return;
        }
        double tolerance = ulps * Math.ulp(e);
        assertEquals(e, actual, tolerance, what);
    }

    @Test
    void expIsWithinTwoUlpsOfMathExpAndItsScalarTwinGivesTheSameBits() {
        float[] x = inputs(), y = exp(x);
        for (int i = 0; i < x.length; i++) {
            assertWithinUlps(Math.exp(x[i]), y[i], 2, "exp(" + x[i] + ")");
            assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(VectorExp.exp(x[i])), "scalar exp(" + x[i] + ")");
        }
        assertEquals(0f, VectorExp.exp(Float.NEGATIVE_INFINITY));
        assertTrue(VectorExp.exp(-100f) > 0f && VectorExp.exp(-100f) < Float.MIN_NORMAL, "subnormal, not flushed: " + VectorExp.exp(-100f));
    }

    @Test
    void tanhIsWithinThreeUlpsOfMathTanh() {
        float[] x = inputs(), y = tanh(x);
        for (int i = 0; i < x.length; i++) assertWithinUlps(Math.tanh(x[i]), y[i], 3, "tanh(" + x[i] + ")");
        assertEquals(0f, tanh(new float[L])[0], "tanh(0) = 0 exactly");
    }

    /**
     * The reason the class exists: the bits an interpreted JVM computes are the bits this JIT-compiled one does.
     * The loop below runs each kernel over 600,000 vectors first, so C2 has compiled it by the last pass.
     */
    @Test
    void theInterpreterAndTheJitComputeTheSameBits() throws Exception {
        float[] x = inputs();
        long[] compiled = new long[2];
        for (int pass = 0; pass < 200; pass++) compiled = new long[]{hash(exp(x)), hash(tanh(x))};
        String out = ChildJvm.run(Interpreted.class, List.of("-Xint")).strip();
        assertTrue(out.endsWith(compiled[0] + " " + compiled[1]), "interpreted: " + out + ", compiled: " + compiled[0] + " " + compiled[1]);
    }

    private static long hash(float[] y) {
        long h = 17;
        for (float v : y) h = h * 31 + Float.floatToRawIntBits(v);
        return h;
    }

    /** Run with -Xint by the test above. */
    public static final class Interpreted {
        public static void main(String[] args) {
            float[] x = inputs();
            System.out.println(hash(exp(x)) + " " + hash(tanh(x)));
        }
    }
}
