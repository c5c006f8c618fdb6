package gradus.privacy;

import java.util.List;
import java.util.stream.DoubleStream;

/**
 * Rényi-DP accounting of the sampled Gaussian mechanism (Mironov, Talwar and Zhang 2019, "Rényi Differential
 * Privacy of the Sampled Gaussian Mechanism", section 3.3), converted to (ε, δ) by Balle et al. 2020, theorem 21 —
 * the analysis in Opacus's {@code accountants/analysis/rdp.py}, with its default orders.
 */
public final class Rdp extends PrivacyAccountant {
    /** Opacus's default orders: 1.1, 1.2, …, 10.9 and 12, 13, …, 63. */
    static final double[] DEFAULT_ORDERS = DoubleStream.concat(
            java.util.stream.IntStream.range(1, 100).mapToDouble(x -> 1 + x / 10.0),
            java.util.stream.IntStream.range(12, 64).asDoubleStream()).toArray();

    Rdp() {}

    @Override
    public String mechanism() {
        return "rdp";
    }

    @Override
    double epsilon(List<Steps> history, double delta) {
        return epsilon(history, delta, DEFAULT_ORDERS);
    }

    /** ε at the best of {@code orders}. */
    static double epsilon(List<Steps> history, double delta, double[] orders) {
        double best = Double.NaN;
        for (double alpha : orders) {
            double rdp = 0;
            for (Steps s : history) rdp += s.count() * rdp(s.sampleRate(), s.noiseMultiplier(), alpha);
            double eps = rdp - (Math.log(delta) + Math.log(alpha)) / (alpha - 1) + Math.log((alpha - 1) / alpha);
            if (!Double.isNaN(eps) && !(eps >= best)) best = eps; // the first of equal minima, NaNs skipped (numpy's nanargmin)
        }
        return Double.isNaN(best) ? Double.POSITIVE_INFINITY : best;
    }

    /** The RDP of one step at order α; can be infinite. */
    static double rdp(double q, double sigma, double alpha) {
        if (q == 0) return 0;
        if (sigma == 0) return Double.POSITIVE_INFINITY;
        if (q == 1) return alpha / (2 * sigma * sigma);
        if (Double.isInfinite(alpha)) return Double.POSITIVE_INFINITY;
        double logA = alpha == Math.rint(alpha) ? logAIntegerOrder(q, sigma, (int) alpha) : logAFractionalOrder(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** log(A_α) for integer α: a binomial sum. */
    private static double logAIntegerOrder(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= alpha; i++) {
            double logCoef = Math.log(binomial(alpha, i)) + i * Math.log(q) + (alpha - i) * Math.log(1 - q);
            logA = logAdd(logA, logCoef + (i * (double) i - i) / (2 * sigma * sigma));
        }
        return logA;
    }

    /** log(A_α) for fractional α: two series with Gaussian tail factors, summed until their terms drop below e^-30. */
    private static double logAFractionalOrder(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY, logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        for (int i = 0; ; i++) {
            double coef = binomial(alpha, i);
            double logCoef = Math.log(Math.abs(coef));
            double j = alpha - i;
            double logT0 = logCoef + i * Math.log(q) + j * Math.log(1 - q);
            double logT1 = logCoef + j * Math.log(q) + i * Math.log(1 - q);
            double logE0 = Math.log(0.5) + Normal.logErfc((i - z0) / (Math.sqrt(2) * sigma));
            double logE1 = Math.log(0.5) + Normal.logErfc((z0 - j) / (Math.sqrt(2) * sigma));
            double logS0 = logT0 + (i * (double) i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (coef > 0) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) break;
        }
        return logAdd(logA0, logA1);
    }

    /** The generalized binomial coefficient (n choose k) = n(n−1)…(n−k+1)/k! for real n. */
    static double binomial(double n, int k) {
        double c = 1;
        for (int i = 0; i < k; i++) c *= (n - i) / (i + 1);
        return c;
    }

    private static double logAdd(double logX, double logY) {
        double a = Math.min(logX, logY), b = Math.max(logX, logY);
        if (a == Double.NEGATIVE_INFINITY) return b;
        return Math.log1p(Math.exp(a - b)) + b;
    }

    private static double logSub(double logX, double logY) {
        if (logX < logY) throw new ArithmeticException("log-space subtraction would be negative");
        if (logY == Double.NEGATIVE_INFINITY) return logX;
        if (logX == logY) return Double.NEGATIVE_INFINITY;
        double d = Math.expm1(logX - logY);
        return Double.isInfinite(d) ? logX : Math.log(d) + logY;
    }
}
