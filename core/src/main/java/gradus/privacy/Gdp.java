package gradus.privacy;

import java.util.List;

/**
 * Gaussian-DP accounting by the central limit theorem (Dong, Roth and Su 2019; Bu et al. 2020) for Poisson
 * sampling, as Opacus's {@code GaussianAccountant}: T steps are μ-GDP with μ = q·√(T·(e^(1/σ²) − 1)), and ε is
 * the root of the μ-GDP ↔ (ε, δ) duality. An approximation that can underestimate ε (Gopi et al. 2021): prefer
 * {@link Prv} or {@link Rdp} for guarantees.
 */
public final class Gdp extends PrivacyAccountant {
    Gdp() {}

    @Override
    public String mechanism() {
        return "gdp";
    }

    @Override
    public void add(Steps steps) {
        if (!history.isEmpty() && (history.getFirst().noiseMultiplier() != steps.noiseMultiplier()
                || history.getFirst().sampleRate() != steps.sampleRate())) {
            throw new IllegalArgumentException("the GDP accountant needs the noise multiplier and sample rate to stay constant");
        }
        super.add(steps);
    }

    @Override
    double epsilon(List<Steps> history, double delta) {
        Steps s = history.getLast();
        double sigma = s.noiseMultiplier();
        double mu = Math.sqrt(Math.exp(1 / (sigma * sigma)) - 1) * Math.sqrt((double) s.count()) * s.sampleRate();
        return epsilonForMu(mu, delta);
    }

    /** The ε in [0, 500] with δ(ε) = Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2) equal to {@code delta}, by bisection (δ(ε) decreases). */
    static double epsilonForMu(double mu, double delta) {
        double lo = 0, hi = 500;
        if (deltaFor(lo, mu) < delta) return 0;
        while (hi - lo > 1e-13 * Math.max(1, lo)) {
            double mid = (lo + hi) / 2;
            if (mid == lo || mid == hi) break;
            if (deltaFor(mid, mu) > delta) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }

    private static double deltaFor(double eps, double mu) {
        return Normal.cdf(-eps / mu + mu / 2) - Math.exp(eps) * Normal.cdf(-eps / mu - mu / 2);
    }
}
