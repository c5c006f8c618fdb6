package gradus.privacy;

/**
 * The privacy random variable of one step of the Poisson-subsampled Gaussian mechanism, truncated to
 * [tMin, tMax] and renormalized: its distribution function (Gopi, Lee and Wutschitz 2021, proposition B4) and
 * its mean.
 */
final class SubsampledGaussianPrv {
    private final double q, sigma, tMin, tMax, remainingMass, cdfAtMin;

    SubsampledGaussianPrv(double sampleRate, double noiseMultiplier, double tMin, double tMax) {
        this.q = sampleRate;
        this.sigma = noiseMultiplier;
        this.tMin = tMin;
        this.tMax = tMax;
        this.cdfAtMin = untruncatedCdf(tMin);
        this.remainingMass = untruncatedCdf(tMax) - cdfAtMin;
    }

    /** P(T ≤ t) of the truncated variable. */
    double cdf(double t) {
        if (t < tMin) return 0;
        if (t >= tMax) return 1;
        return (untruncatedCdf(t) - cdfAtMin) / remainingMass;
    }

    private double untruncatedCdf(double t) {
        if (!(t > Math.log(1 - q))) return 0;
        double z = Math.log((Math.exp(t) + q - 1) / q);
        double s2 = sigma * sigma, scale = 2 * Math.sqrt(2) * sigma;
        return -q * Normal.erfc((2 * z * s2 - 1) / scale) / 2 - (1 - q) * Normal.erfc((2 * z * s2 + 1) / scale) / 2 + 1.0;
    }

    /**
     * E[T] = ∫ t dF, integrated by parts piecewise (t·F at the ends minus ∫ F) over the break points Opacus uses
     * (log-spaced towards 0 from both sides), so the integration sees the steep part near 0 at every scale.
     */
    double mean() {
        int lower = (int) Math.log10(Math.abs(tMin)), upper = (int) Math.log10(tMax);
        double[] points = new double[22];
        points[0] = tMin;
        for (int i = 0; i < 10; i++) points[1 + i] = -Math.pow(10, lower + (-5.0 - lower) * i / 9);
        points[11] = 0;
        for (int i = 0; i < 10; i++) points[12 + i] = Math.pow(10, -5.0 + (upper + 5.0) * i / 9);
        points[21] = tMax;
        double mean = 0;
        for (int i = 0; i + 1 < points.length; i++) {
            double left = points[i], right = points[i + 1];
            double integral = GaussKronrod.integrate(this::cdf, left, right, 1e-15, 1e-13);
            mean += right * cdf(right) - left * cdf(left) - integral;
        }
        return mean;
    }
}
