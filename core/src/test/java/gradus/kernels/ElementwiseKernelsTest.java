package gradus.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every vectorized elementwise and reduction kernel against a plain loop, at lengths around the vector width
 * (whole vectors, tails, shorter than one vector) and at offsets. {@link EveryVectorWidthTest} runs it at each width.
 */
class ElementwiseKernelsTest {
    private static final int L = VectorMath.SPECIES.length();
    private static final int[] LENGTHS = {0, 1, L - 1, L, L + 1, 2 * L + 3, 5 * L, 1000};
    private static final int OFF = 3;

    private static float[] random(Random rnd, int n) {
        float[] x = new float[OFF + n];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 2);
        return x;
    }

    private interface Binary { float apply(float a, float b); }

    private interface VectorBinary { void apply(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n); }

    private static void checkBinary(String name, VectorBinary vector, Binary plain, float tol) {
        Random rnd = new Random(name.hashCode());
        for (int n : LENGTHS) {
            float[] a = random(rnd, n), b = random(rnd, n), out = new float[OFF + n];
            vector.apply(a, OFF, b, OFF, out, OFF, n);
            for (int i = 0; i < n; i++) {
                assertEquals(plain.apply(a[OFF + i], b[OFF + i]), out[OFF + i], tol, name + " n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void elementwiseOpsMatchPlainLoops() {
        checkBinary("add", VectorMath::add, (x, y) -> x + y, 0f);
        checkBinary("sub", VectorMath::sub, (x, y) -> x - y, 0f);
        checkBinary("mul", VectorMath::mul, (x, y) -> x * y, 0f);
        checkBinary("div", VectorMath::div, (x, y) -> x / y, 0f);
        checkBinary("scaleShift", (a, ao, b, bo, out, oo, n) -> VectorMath.scaleShift(a, ao, 1.5f, -0.25f, out, oo, n),
                (x, y) -> x * 1.5f - 0.25f, 1e-6f);
        checkBinary("axpy", (a, ao, b, bo, out, oo, n) -> {
            System.arraycopy(b, bo, out, oo, n);
            VectorMath.axpy(-0.75f, a, ao, out, oo, n);
        }, (x, y) -> y - 0.75f * x, 1e-6f);
        checkBinary("relu", (a, ao, b, bo, out, oo, n) -> VectorMath.relu(a, ao, out, oo, n), (x, y) -> Math.max(x, 0f), 0f);
        checkBinary("reluBackward", VectorMath::reluBackward, (g, x) -> x > 0 ? g : 0f, 0f);
        checkBinary("exp", (a, ao, b, bo, out, oo, n) -> VectorMath.exp(a, ao, out, oo, n),
                (x, y) -> (float) Math.exp(x), 1e-4f);
        checkBinary("gelu", (a, ao, b, bo, out, oo, n) -> GeluKernel.forward(a, ao, out, oo, n),
                (x, y) -> (float) (x * 0.5 * (1 + erf(x / Math.sqrt(2)))), 1e-5f);
        checkBinary("geluBackward", (g, go, x, xo, out, oo, n) -> GeluKernel.backward(g, go, x, xo, out, oo, n),
                (g, x) -> (float) (g * (0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI))), 1e-4f);
    }

    @Test
    void reductionsMatchPlainLoops() {
        Random rnd = new Random(11);
        for (int n : LENGTHS) {
            float[] a = random(rnd, n), b = random(rnd, n), out = new float[OFF + n];
            double sum = 0, dot = 0, expSum = 0, max = Double.NEGATIVE_INFINITY;
            for (int i = OFF; i < OFF + n; i++) {
                sum += a[i];
                dot += (double) a[i] * b[i];
                expSum += Math.exp(a[i] - 1.0);
                max = Math.max(max, a[i]);
            }
            String at = " n=" + n;
            assertEquals(sum, VectorMath.sum(a, OFF, n), 1e-4 * (n + 1), "sum" + at);
            assertEquals(dot, VectorMath.dot(a, OFF, b, OFF, n), 1e-4 * (n + 1), "dot" + at);
            assertEquals(expSum, VectorMath.expSum(a, OFF, -1f, out, OFF, n), 1e-4 * (expSum + 1), "expSum" + at);
            assertEquals((float) max, VectorMath.max(a, OFF, n), "max" + at);
        }
    }

    @Test
    void layerNormMatchesPlainLoop() {
        Random rnd = new Random(12);
        for (int d : LENGTHS) {
            if (d == 0) continue;
            float[] x = random(rnd, d), w = random(rnd, d), b = random(rnd, d), out = new float[OFF + d];
            float[] mean = new float[1], invStd = new float[1];
            LayerNormKernel.normalize(x, OFF, d, 1e-5f, java.util.Arrays.copyOfRange(w, OFF, OFF + d),
                    java.util.Arrays.copyOfRange(b, OFF, OFF + d), out, OFF, mean, invStd, 0);
            double mu = 0, var = 0;
            for (int i = OFF; i < OFF + d; i++) mu += x[i];
            mu /= d;
            for (int i = OFF; i < OFF + d; i++) var += (x[i] - mu) * (x[i] - mu);
            double is = 1 / Math.sqrt(var / d + 1e-5);
            assertEquals(mu, mean[0], 1e-5, "mean d=" + d);
            for (int i = OFF; i < OFF + d; i++) {
                assertEquals((x[i] - mu) * is * w[i] + b[i], out[i], 1e-4 * (1 + Math.abs(w[i]) * 4), "d=" + d + " i=" + i);
            }
        }
    }

    /** erf by its Taylor series near 0 and continued fraction beyond: exact to double rounding for |x| < 6. */
    private static double erf(double x) {
        double ax = Math.abs(x), r;
        if (ax < 2.5) {
            double term = ax, s = ax;
            for (int k = 1; k < 60; k++) {
                term *= -ax * ax / k;
                s += term / (2 * k + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * s;
        } else {
            double f = 0; // erfc(x) = e^(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
            for (int k = 60; k >= 1; k--) f = (k / 2.0) / (ax + f);
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }
}
