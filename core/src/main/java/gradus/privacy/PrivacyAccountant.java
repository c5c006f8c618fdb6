package gradus.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tracks the privacy spent by repeated runs of the Poisson-subsampled Gaussian mechanism (DP-SGD's steps) and
 * converts it to (ε, δ)-DP, as Opacus's accountants do: {@link Rdp} (Rényi DP), {@link Prv} (privacy random
 * variables, the tightest) and {@link Gdp} (Gaussian DP by the central limit theorem, which can underestimate).
 */
public abstract sealed class PrivacyAccountant permits Rdp, Prv, Gdp {
    /** {@code count} steps with noise multiplier σ (noise std ÷ clipping bound) and sampling rate q. */
    public record Steps(double noiseMultiplier, double sampleRate, long count) {
        public Steps {
            if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) throw new IllegalArgumentException("noise multiplier must be ≥ 0 and finite, got " + noiseMultiplier);
            if (!(sampleRate >= 0 && sampleRate <= 1)) throw new IllegalArgumentException("sample rate must be in [0, 1], got " + sampleRate);
            if (count < 0) throw new IllegalArgumentException("steps must be ≥ 0, got " + count);
        }
    }

    final List<Steps> history = new ArrayList<>();

    PrivacyAccountant() {}

    /** The accountant named {@code rdp}, {@code prv} or {@code gdp}. */
    public static PrivacyAccountant create(String mechanism) {
        return switch (mechanism.toLowerCase(Locale.ROOT)) {
            case "rdp" -> new Rdp();
            case "prv" -> new Prv();
            case "gdp" -> new Gdp();
            default -> throw new IllegalArgumentException("unknown accountant '" + mechanism + "': expected rdp, prv or gdp");
        };
    }

    /** The name {@link #create} takes. */
    public abstract String mechanism();

    /** Records one step; consecutive steps with the same σ and q are merged (what the analyses compose). */
    public void step(double noiseMultiplier, double sampleRate) {
        add(new Steps(noiseMultiplier, sampleRate, 1));
    }

    /** Records {@code steps.count()} steps at once. */
    public void add(Steps steps) {
        if (!history.isEmpty()) {
            Steps last = history.getLast();
            if (last.noiseMultiplier() == steps.noiseMultiplier() && last.sampleRate() == steps.sampleRate()) {
                history.set(history.size() - 1, new Steps(last.noiseMultiplier(), last.sampleRate(), last.count() + steps.count()));
                return;
            }
        }
        history.add(steps);
    }

    /** The steps recorded so far, merged. */
    public List<Steps> history() {
        return List.copyOf(history);
    }

    /** ε spent so far for the given δ (0 before any step). */
    public double epsilon(double delta) {
        if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        return history.isEmpty() ? 0 : epsilon(history, delta);
    }

    abstract double epsilon(List<Steps> history, double delta);
}
