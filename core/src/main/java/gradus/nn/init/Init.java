package gradus.nn.init;

import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/**
 * Weight initializers, drawing from the global generator (seed it with {@link Rng#manualSeed}).
 * The in-place forms fill an existing tensor and return it, like PyTorch's {@code nn.init.*_};
 * fans are computed from the shape as PyTorch does ([out, in, k…]: fan_in = in·∏k, fan_out = out·∏k).
 */
public final class Init {
    private Init() {}

    /** Which fan scales a Kaiming initializer: IN preserves the forward signal's variance, OUT the backward one's. */
    public enum Fan { IN, OUT }

    /** A new tensor of {@code shape} drawn from U(-bound, bound). */
    public static Tensor uniform(float bound, int... shape) {
        return Tensor.uniform(Rng.global(), -bound, bound, shape);
    }

    /** A new tensor of {@code shape} drawn from N(0, std²). */
    public static Tensor normal(float std, int... shape) {
        return Tensor.normal(Rng.global(), 0f, std, shape);
    }

    /** Fills {@code t} from U(lo, hi). */
    public static Tensor uniform(Tensor t, float lo, float hi) {
        return t.copyFrom(Tensor.uniform(Rng.global(), lo, hi, t.shape()));
    }

    /** Fills {@code t} from N(mean, std²). */
    public static Tensor normal(Tensor t, float mean, float std) {
        return t.copyFrom(Tensor.normal(Rng.global(), mean, std, t.shape()));
    }

    public static Tensor constant(Tensor t, float value) {
        return t.fill(value);
    }

    public static Tensor zeros(Tensor t) {
        return t.fill(0f);
    }

    public static Tensor ones(Tensor t) {
        return t.fill(1f);
    }

    /** Glorot uniform: U(±gain·√(6 / (fan_in + fan_out))). */
    public static Tensor xavierUniform(Tensor t, float gain) {
        float bound = (float) (gain * Math.sqrt(6.0 / (fanIn(t.shape()) + fanOut(t.shape()))));
        return uniform(t, -bound, bound);
    }

    public static Tensor xavierUniform(Tensor t) {
        return xavierUniform(t, 1f);
    }

    /** Glorot normal: N(0, gain²·2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor t, float gain) {
        return normal(t, 0f, (float) (gain * Math.sqrt(2.0 / (fanIn(t.shape()) + fanOut(t.shape())))));
    }

    public static Tensor xavierNormal(Tensor t) {
        return xavierNormal(t, 1f);
    }

    /**
     * He uniform: U(±gain·√(3 / fan)) with {@code gain = gain(nonlinearity, a)}; {@code a} is the
     * negative slope for "leaky_relu".
     */
    public static Tensor kaimingUniform(Tensor t, float a, Fan mode, String nonlinearity) {
        float bound = (float) (gain(nonlinearity, a) * Math.sqrt(3.0 / fan(t.shape(), mode)));
        return uniform(t, -bound, bound);
    }

    /** PyTorch's defaults: a=0, fan_in, leaky_relu (so gain √2). */
    public static Tensor kaimingUniform(Tensor t) {
        return kaimingUniform(t, 0f, Fan.IN, "leaky_relu");
    }

    /** He normal: N(0, gain² / fan). */
    public static Tensor kaimingNormal(Tensor t, float a, Fan mode, String nonlinearity) {
        return normal(t, 0f, (float) (gain(nonlinearity, a) / Math.sqrt(fan(t.shape(), mode))));
    }

    public static Tensor kaimingNormal(Tensor t) {
        return kaimingNormal(t, 0f, Fan.IN, "leaky_relu");
    }

    /**
     * The recommended gain for a nonlinearity (PyTorch's {@code calculate_gain}): 1 for linear,
     * conv and sigmoid; 5/3 for tanh; √2 for relu; √(2 / (1 + slope²)) for leaky_relu; 3/4 for selu.
     */
    public static double gain(String nonlinearity, float param) {
        return switch (nonlinearity) {
            case "linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + (double) param * param));
            case "selu" -> 0.75;
            default -> throw new IllegalArgumentException("unknown nonlinearity '" + nonlinearity
                    + "'; known: linear, identity, conv1d, conv2d, conv3d, sigmoid, tanh, relu, leaky_relu, selu");
        };
    }

    /** Inputs feeding each output: shape[1]·∏shape[2..]. */
    public static int fanIn(int[] shape) {
        checkFanShape(shape);
        return shape[1] * receptiveField(shape);
    }

    /** Outputs fed by each input: shape[0]·∏shape[2..]. */
    public static int fanOut(int[] shape) {
        checkFanShape(shape);
        return shape[0] * receptiveField(shape);
    }

    private static int fan(int[] shape, Fan mode) {
        return mode == Fan.IN ? fanIn(shape) : fanOut(shape);
    }

    private static int receptiveField(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) r *= shape[i];
        return r;
    }

    private static void checkFanShape(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fan in and fan out need a tensor of at least 2 dimensions, got shape " + Shape.str(shape));
        }
    }
}
