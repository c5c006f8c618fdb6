package gradus.recipe;

import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.nn.Module;
import gradus.privacy.DpSgd;

import java.util.Locale;

/**
 * A recipe's {@code privacy} section: DP-SGD with either a budget ({@code target_epsilon}, σ found by the
 * accountant for the run's epochs) or a fixed {@code noise_multiplier}; {@code training.batch_size} is the
 * expected batch size of Poisson sampling.
 * <pre>
 * privacy: {target_epsilon: 3, delta: 1e-5, max_grad_norm: 1.0}
 * </pre>
 * Optional: {@code accountant} (prv, rdp, gdp), {@code clipping} (flat, per_layer), {@code max_physical_batch_size}
 * (virtual batches), {@code secure_rng} (noise from a DRBG instead of the seed).
 */
final class PrivacyConfig {
    private static final String[] KEYS = {"target_epsilon", "noise_multiplier", "delta", "max_grad_norm", "accountant", "clipping",
            "max_physical_batch_size", "secure_rng"};

    private PrivacyConfig() {}

    static void check(Config privacy) {
        privacy.allowOnly(KEYS);
        if (privacy.has("target_epsilon") == privacy.has("noise_multiplier")) {
            throw new ConfigException(privacy.where() + ": give exactly one of target_epsilon and noise_multiplier");
        }
        if (!privacy.has("max_grad_norm")) throw new ConfigException(privacy.where() + ": max_grad_norm is required (the per-sample clipping bound)");
    }

    static DpSgd build(Config privacy, Module model, int batchSize, int datasetSize, int epochs, long seed) {
        check(privacy);
        String clipping = privacy.getString("clipping", "flat").toUpperCase(Locale.ROOT);
        if (!clipping.equals("FLAT") && !clipping.equals("PER_LAYER")) {
            throw new ConfigException(privacy.where() + ": clipping must be flat or per_layer, got '" + privacy.getString("clipping") + "'");
        }
        try {
            DpSgd.Builder b = DpSgd.builder(model).maxGradNorm(privacy.getDouble("max_grad_norm"))
                    .sampling(Math.min(batchSize, datasetSize), datasetSize)
                    .delta(privacy.getDouble("delta", 1e-5))
                    .accountant(privacy.getString("accountant", "prv"))
                    .clipping(DpSgd.Clipping.valueOf(clipping))
                    .maxPhysicalBatchSize(privacy.getInt("max_physical_batch_size", 0))
                    .secureRandom(privacy.getBoolean("secure_rng", false))
                    .seed(seed);
            if (privacy.has("noise_multiplier")) b.noiseMultiplier(privacy.getDouble("noise_multiplier"));
            else b.targetEpsilon(privacy.getDouble("target_epsilon"), privacy.getDouble("delta", 1e-5), epochs);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(privacy.where() + ": " + e.getMessage());
        }
    }
}
