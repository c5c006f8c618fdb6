package gradus.privacy;

import java.util.List;

/** The noise multiplier σ that keeps a training run within a privacy budget, found as Opacus's {@code get_noise_multiplier} does. */
public final class NoiseMultiplier {
    /** Opacus's default precision of the search: the ε reached is within this of the target. */
    public static final double EPSILON_TOLERANCE = 0.01;
    private static final double MAX_SIGMA = 1e6;

    private NoiseMultiplier() {}

    /**
     * The σ for which {@code steps} steps at sampling rate {@code sampleRate} spend at most {@code targetEpsilon}
     * (never more) and within {@code epsilonTolerance} of it: σ doubles from 20 until ε is under the target, then
     * bisects on [0, σ].
     */
    public static double find(String mechanism, double targetEpsilon, double delta, double sampleRate, long steps, double epsilonTolerance) {
        if (!(targetEpsilon > 0)) throw new IllegalArgumentException("target epsilon must be > 0, got " + targetEpsilon);
        if (!(epsilonTolerance > 0)) throw new IllegalArgumentException("epsilon tolerance must be > 0, got " + epsilonTolerance);
        PrivacyAccountant accountant = PrivacyAccountant.create(mechanism);
        double sigmaLow = 0, sigmaHigh = 10, epsHigh = Double.POSITIVE_INFINITY;
        while (epsHigh > targetEpsilon) {
            sigmaHigh *= 2;
            epsHigh = epsilon(accountant, sigmaHigh, sampleRate, steps, delta);
            if (sigmaHigh > MAX_SIGMA) throw new IllegalArgumentException("the privacy budget ε = " + targetEpsilon + " is too low for " + steps + " steps at sample rate " + sampleRate);
        }
        while (targetEpsilon - epsHigh > epsilonTolerance) {
            double sigma = (sigmaLow + sigmaHigh) / 2;
            double eps = epsilon(accountant, sigma, sampleRate, steps, delta);
            if (eps < targetEpsilon) {
                sigmaHigh = sigma;
                epsHigh = eps;
            } else {
                sigmaLow = sigma;
            }
        }
        return sigmaHigh;
    }

    /** Steps for {@code epochs} passes over the data at sampling rate q: ⌊epochs/q⌋, as Opacus counts them. */
    public static long stepsForEpochs(double epochs, double sampleRate) {
        if (!(sampleRate > 0 && sampleRate <= 1)) throw new IllegalArgumentException("sample rate must be in (0, 1], got " + sampleRate);
        return (long) (epochs / sampleRate);
    }

    private static double epsilon(PrivacyAccountant accountant, double sigma, double q, long steps, double delta) {
        accountant.history.clear();
        accountant.history.add(new PrivacyAccountant.Steps(sigma, q, steps));
        return accountant.epsilon(List.copyOf(accountant.history), delta);
    }
}
