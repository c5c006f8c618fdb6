package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.privacy.NoiseMultiplier;
import gradus.privacy.PrivacyAccountant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "privacy-accountant", description = {"The (ε, δ) that DP-SGD's steps spend, by Opacus's accountants;",
        "given --target-epsilon, the noise multiplier that stays within it."})
final class PrivacyAccountantCommand implements Callable<Integer> {
    @Option(names = "--noise-multiplier", paramLabel = "S", description = "Noise standard deviation ÷ clipping bound (σ); not with --target-epsilon.")
    Double noiseMultiplier;

    @Option(names = "--sample-rate", required = true, paramLabel = "Q", description = "Probability that a sample is in a batch (batch size ÷ dataset size).")
    double sampleRate;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps (or give --epochs).")
    Long steps;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs: ⌊E ÷ Q⌋ steps.")
    Double epochs;

    @Option(names = "--delta", required = true, paramLabel = "D", description = "δ, e.g. below 1 ÷ dataset size.")
    double delta;

    @Option(names = "--accountant", defaultValue = "rdp", paramLabel = "rdp|prv|gdp", description = "Analysis: rdp (default), prv (tighter) or gdp (an approximation that can underestimate).")
    String accountant;

    @Option(names = "--target-epsilon", paramLabel = "E", description = "Print the noise multiplier that spends at most this ε.")
    Double targetEpsilon;

    @Option(names = "--epsilon-tolerance", defaultValue = "0.01", paramLabel = "T", description = "How close below the target the search stops (default ${DEFAULT-VALUE}).")
    double epsilonTolerance;

    @Option(names = "--json", description = "Print a JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if ((steps == null) == (epochs == null)) throw new IllegalArgumentException("give either --steps N or --epochs E");
        if ((noiseMultiplier == null) == (targetEpsilon == null)) throw new IllegalArgumentException("give either --noise-multiplier S or --target-epsilon E");
        PrivacyAccountant.create(accountant); // an unknown name fails before any work
        long n = steps != null ? steps : NoiseMultiplier.stepsForEpochs(epochs, sampleRate);
        if (n < 0) throw new IllegalArgumentException("--steps must be ≥ 0, got " + n);
        double sigma = targetEpsilon == null ? noiseMultiplier
                : NoiseMultiplier.find(accountant, targetEpsilon, delta, sampleRate, n, epsilonTolerance);
        PrivacyAccountant a = PrivacyAccountant.create(accountant);
        a.add(new PrivacyAccountant.Steps(sigma, sampleRate, n));
        double epsilon = a.epsilon(delta);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accountant", a.mechanism());
        out.put("epsilon", epsilon);
        out.put("delta", delta);
        out.put("noise_multiplier", sigma);
        out.put("sample_rate", sampleRate);
        out.put("steps", n);
        if (targetEpsilon != null) out.put("target_epsilon", targetEpsilon);
        if (json) System.out.println(new ObjectMapper().writeValueAsString(out));
        else if (targetEpsilon != null) System.out.printf("noise multiplier %s: ε = %.4f ≤ %s for δ = %s over %d steps at sample rate %s (%s)%n",
                sigma, epsilon, targetEpsilon, delta, n, sampleRate, a.mechanism());
        else System.out.printf("ε = %.4f for δ = %s over %d steps at sample rate %s, noise multiplier %s (%s)%n",
                epsilon, delta, n, sampleRate, sigma, a.mechanism());
        return 0;
    }
}
