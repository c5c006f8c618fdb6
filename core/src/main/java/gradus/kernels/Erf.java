package gradus.kernels;

/**
 * The error function in double precision (relative error near 1e-15), the one erf of Gradus: elementwise
 * {@code erf}, exact GELU and the ONNX Erf operator use it. Below |x| = 3 the series
 * erf x = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (positive terms, no cancellation); above, the continued
 * fraction of erfc. {@link #erfFloat} is the float32 fast path's version (one exponential); {@link GeluKernel}
 * vectorizes the same approximation inside GELU.
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    private Erf() {}

    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x), r;
        if (a < 3) {
            double x2 = a * a, term = a, sum = a;
            for (int n = 1; term > 1e-17 * sum; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        } else {
            r = 1 - erfcLarge(a);
        }
        return x < 0 ? -r : r;
    }

    /** erfc(a) for a ≥ 3: e^(−a²)/√π / (a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated from the tail. */
    private static double erfcLarge(double a) {
        double f = a;
        for (int k = 60; k >= 1; k--) f = a + (k / 2.0) / f;
        return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }

    /**
     * erf to float precision at the cost of one exponential, for the float32 fast path: the Maclaurin series below
     * |x| = 0.5 (exact in relative terms where values are small), Abramowitz and Stegun 7.1.26 (error below 1.5e-7)
     * above. The reference backend uses {@link #erf}.
     */
    public static float erfFloat(float x) {
        double a = Math.abs(x), r;
        if (a < 0.5) {
            double x2 = a * a, term = a, sum = a;
            for (int n = 1; n < 7; n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else if (a > 6) {
            r = 1;
        } else {
            double t = 1 / (1 + 0.3275911 * a);
            double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
            r = 1 - poly * Math.exp(-a * a);
        }
        return (float) (x < 0 ? -r : r);
    }

    /** d/dx erf x = 2/√π·e^(−x²). */
    public static double derivative(double x) {
        return TWO_OVER_SQRT_PI * Math.exp(-x * x);
    }

    /** Φ(x) = (1 + erf(x/√2)) / 2, the standard normal CDF. */
    public static double normalCdf(double x) {
        return 0.5 * (1.0 + erf(x / Math.sqrt(2.0)));
    }
}
