package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact (erf) GELU, x·Φ(x), and its derivative Φ(x) + x·φ(x), vectorized. erf comes from
 * Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), whose e^(−z²) with z = |x|/√2 is
 * also the e^(−x²/2) of φ, so one exponential serves both.
 */
public final class GeluKernel {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();
    private static final float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f,
            A4 = -1.453152027f, A5 = 1.061405429f;
    private static final float INV_SQRT2 = 0.70710678f, INV_SQRT_2PI = 0.39894228f;

    private GeluKernel() {}

    /** y = gelu(x) over n values. */
    public static void forward(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector z = v.abs().mul(INV_SQRT2);
            FloatVector e = VectorExp.exp(z.mul(z).neg());
            FloatVector phi = halfErfc(z, e); // Φ(−|x|) = erfc(|x|/√2)/2
            // Φ(x) = 1 − Φ(−|x|) for x ≥ 0, Φ(−|x|) otherwise.
            FloatVector cdf = phi.neg().add(1f).blend(phi, v.compare(VectorOperators.LT, 0f));
            v.mul(cdf).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] * cdf(x[xo + i]);
    }

    /** gi = g · gelu'(x) over n values. */
    public static void backward(float[] g, int go, float[] x, int xo, float[] gi, int gio, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector z = v.abs().mul(INV_SQRT2);
            FloatVector e = VectorExp.exp(z.mul(z).neg());
            FloatVector phi = halfErfc(z, e);
            FloatVector cdf = phi.neg().add(1f).blend(phi, v.compare(VectorOperators.LT, 0f));
            FloatVector d = v.mul(e).fma(FloatVector.broadcast(S, INV_SQRT_2PI), cdf);
            d.mul(FloatVector.fromArray(S, g, go + i)).intoArray(gi, gio + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            gi[gio + i] = g[go + i] * (cdf(v) + v * (float) Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
        }
    }

    /** erfc(z)/2 for z ≥ 0, given e = e^(−z²). */
    private static FloatVector halfErfc(FloatVector z, FloatVector e) {
        FloatVector t = FloatVector.broadcast(S, 1f).div(z.fma(P, 1f));
        FloatVector poly = t.fma(A5, A4);
        poly = poly.fma(t, FloatVector.broadcast(S, A3));
        poly = poly.fma(t, FloatVector.broadcast(S, A2));
        poly = poly.fma(t, FloatVector.broadcast(S, A1));
        return poly.mul(t).mul(e).mul(0.5f);
    }

    private static float cdf(float x) {
        double z = Math.abs(x) * INV_SQRT2, t = 1.0 / (1.0 + P * z);
        double half = 0.5 * t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5)))) * Math.exp(-z * z);
        return (float) (x < 0 ? half : 1.0 - half);
    }
}
