package gradus.nn.init;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;

/** Weight initializers, drawing from the global generator (seed it with {@link Rng#manualSeed}). */
public final class Init {
    private Init() {}

    public static Tensor uniform(float bound, int... shape) {
        return Tensor.uniform(Rng.global(), -bound, bound, shape);
    }

    public static Tensor normal(float std, int... shape) {
        return Tensor.normal(Rng.global(), 0f, std, shape);
    }
}
