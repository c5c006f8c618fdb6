package gradus.privacy;

/**
 * The complementary error function and the standard normal distribution, to double precision (the accountants
 * need tails far beyond what a float approximation such as GELU's gives).
 */
final class Normal {
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    /** Below it, 1 − erf(x) loses at most two digits; above it, the continued fraction converges in few terms. */
    private static final double SERIES_LIMIT = 2;

    private Normal() {}

    /** erfc(x) = 1 − erf(x). */
    static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2 - erfc(-x);
        if (x < SERIES_LIMIT) return 1 - erf(x);
        return Math.exp(-x * x) * continuedFraction(x) / Math.sqrt(Math.PI);
    }

    /** log(erfc(x)), finite far past where erfc(x) underflows (x ≈ 27). */
    static double logErfc(double x) {
        if (x < SERIES_LIMIT) return Math.log(erfc(x));
        return -x * x - LOG_SQRT_PI + Math.log(continuedFraction(x));
    }

    /** Φ(x), the standard normal distribution function. */
    static double cdf(double x) {
        return erfc(-x / Math.sqrt(2)) / 2;
    }

    /** erf(x) for 0 ≤ x < 2 by its series of positive terms, 2x·e^(−x²)/√π · Σ (2x²)ⁿ / (1·3·…·(2n+1)). */
    private static double erf(double x) {
        double term = 1, sum = 1, twoX2 = 2 * x * x;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= twoX2 / (2 * n + 1);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * x * Math.exp(-x * x) * sum;
    }

    /** 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) = √π·e^(x²)·erfc(x), by the modified Lentz method. */
    private static double continuedFraction(double x) {
        double tiny = 1e-300, f = x, c = x, d = 0;
        for (int k = 1; k < 10_000; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = d == 0 ? 1 / tiny : 1 / d;
            c = x + a / c;
            if (c == 0) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return 1 / f;
    }
}
