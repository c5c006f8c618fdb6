package gradus.explain;

import java.util.List;
import java.util.Locale;

/**
 * What to explain and how, as the CLI and the server take it. Null fields take the defaults.
 *
 * @param method  one of {@link #METHODS}
 * @param target  the output explained; null explains the predicted class
 * @param steps   Integrated Gradients path points (default 50)
 * @param rule    Integrated Gradients rule, see {@link Quadrature#parse} (default gausslegendre)
 * @param samples SmoothGrad copies (default 32), LIME samples (default 1000), KernelSHAP coalitions (default 2048)
 * @param sigma   SmoothGrad noise, as a fraction of the input's value range (default 0.15)
 * @param layer   Grad-CAM layer path (default the last convolution)
 * @param window  occlusion window edge, and the LIME / SHAP grid cell for images (default 4)
 * @param seed    for the sampled methods (default 0)
 */
public record ExplainRequest(String method, Integer target, Integer steps, String rule, Integer samples, Float sigma,
                             String layer, Integer window, Long seed) {
    public static final List<String> METHODS =
            List.of("saliency", "gradxinput", "ig", "smoothgrad", "gradcam", "occlusion", "lime", "shap", "attention");

    public ExplainRequest {
        if (method == null) throw new IllegalArgumentException("missing method: use one of " + String.join(", ", METHODS));
        method = method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("unknown method '" + method + "': use one of " + String.join(", ", METHODS));
        }
        positive("steps", steps);
        positive("samples", samples);
        positive("window", window);
        if (target != null && target < 0) throw new IllegalArgumentException("target must be ≥ 0, got " + target);
        if (sigma != null && !(sigma >= 0)) throw new IllegalArgumentException("sigma must be ≥ 0, got " + sigma);
    }

    public static ExplainRequest of(String method) {
        return new ExplainRequest(method, null, null, null, null, null, null, null, null);
    }

    private static void positive(String name, Integer v) {
        if (v != null && v < 1) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    int stepsOr() { return steps == null ? 50 : steps; }
    int samplesOr(int d) { return samples == null ? d : samples; }
    int windowOr() { return window == null ? 4 : window; }
    long seedOr() { return seed == null ? 0 : seed; }
}
