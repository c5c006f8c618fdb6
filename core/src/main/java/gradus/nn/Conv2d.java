package gradus.nn;

import gradus.nn.init.Init;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * 2-d convolution over [N, C, H, W] with weight [out, in, kh, kw] and bias [out] (PyTorch's
 * layout). Sizes are {h, w} or one value for both; stride 1, padding 0 and dilation 1 by default.
 * {@link #activation(String) activation("relu")} applies ReLU inside the same operation (Keras's
 * {@code activation='relu'}): the same numbers as a separate {@link ReLU} layer, faster to train.
 */
public final class Conv2d extends Module {
    private final int in, out, groups;
    private final int[] kernel, stride, padding, dilation;
    private final Tensor weight, bias;
    private boolean relu;

    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, new int[]{kernel}, new int[]{stride}, new int[]{padding}, new int[]{1}, true);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, boolean bias) {
        this(in, out, new int[]{kernel}, new int[]{stride}, new int[]{padding}, new int[]{dilation}, bias);
    }

    /** Sizes are {h, w} or one value for both. */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean bias) {
        this(in, out, kernel, stride, padding, dilation, bias, 1);
    }

    /**
     * A grouped convolution: in and out split into {@code groups} parts, each convolved with its own filters
     * (weight [out, in/groups, kh, kw]); {@code groups == in} is a depthwise convolution.
     */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean bias, int groups) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Conv2d needs positive channel counts, got in=" + in + ", out=" + out);
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d groups must divide in=" + in + " and out=" + out + ", got groups=" + groups);
        }
        this.in = in;
        this.groups = groups;
        this.out = out;
        this.kernel = F.pair("kernel", kernel, 1);
        this.stride = F.pair("stride", stride, 1);
        this.padding = F.pair("padding", padding, 0);
        this.dilation = F.pair("dilation", dilation, 1);
        ParameterBudget.reserve("Conv2d weight", out, in / groups, this.kernel[0], this.kernel[1]);
        if (bias) ParameterBudget.reserve("Conv2d bias", out);
        // PyTorch's default: Kaiming-uniform with a=√5, which is U(±1/√fan_in) for weight and bias alike.
        this.weight = registerParameter("weight", Init.kaimingUniform(Tensor.zeros(out, in / groups, this.kernel[0], this.kernel[1]),
                (float) Math.sqrt(5), Init.Fan.IN, "leaky_relu"));
        float bound = (float) (1.0 / Math.sqrt(Init.fanIn(weight.shape())));
        this.bias = bias ? registerParameter("bias", Init.uniform(bound, out)) : null;
    }

    /**
     * Sets the activation applied to the output: "relu", or "linear" for none (the default). Returns this
     * layer, for {@code new Conv2d(1, 32, 3, 1, 1).activation("relu")}.
     */
    public Conv2d activation(String name) {
        relu = switch (name) {
            case "relu" -> true;
            case "linear" -> false;
            default -> throw new IllegalArgumentException("Conv2d activation must be \"relu\" or \"linear\", got \"" + name + "\"");
        };
        return this;
    }

    /** "relu" or "linear". */
    public String activation() {
        return relu ? "relu" : "linear";
    }

    public Tensor weight() {
        return weight;
    }

    /** {h, w} of the stride, padding and dilation (copies). */
    public int[] stride() {
        return stride.clone();
    }

    public int[] padding() {
        return padding.clone();
    }

    public int[] dilation() {
        return dilation.clone();
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        int channelDim = x.dim() - 3;
        if ((x.dim() != 4 && x.dim() != 3) || x.size(channelDim) != in) {
            throw new IllegalArgumentException(this + " expects input [N, " + in + ", H, W], got shape " + Shape.str(x.shape())
                    + " (weight has shape " + Shape.str(weight.shape()) + ")");
        }
        return F.conv2d(x, weight, bias, stride, padding, dilation, relu, groups);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Conv2d");
        c.put("in", in);
        c.put("out", out);
        c.put("kernel", Layers.size(kernel));
        c.put("stride", Layers.size(stride));
        c.put("padding", Layers.size(padding));
        c.put("dilation", Layers.size(dilation));
        c.put("bias", bias != null);
        if (groups != 1) c.put("groups", groups);
        if (relu) c.put("activation", "relu");
        return c;
    }
}
