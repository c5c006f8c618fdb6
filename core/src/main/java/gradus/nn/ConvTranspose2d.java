package gradus.nn;

import gradus.nn.init.Init;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Transposed 2-d convolution over [N, in, H, W] with weight [in, out, kh, kw] and bias [out] (PyTorch's layout):
 * the adjoint of {@link Conv2d}, used to upsample (stride 2 doubles H and W with kernel 4, padding 1).
 */
public final class ConvTranspose2d extends Module {
    private final int in, out;
    private final int[] kernel, stride, padding, outputPadding, dilation;
    private final Tensor weight, bias;

    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, new int[]{kernel}, new int[]{stride}, new int[]{padding}, new int[]{0}, new int[]{1}, true);
    }

    /** Sizes are {h, w} or one value for both. */
    public ConvTranspose2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] outputPadding, int[] dilation, boolean bias) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("ConvTranspose2d needs positive channel counts, got in=" + in + ", out=" + out);
        this.in = in;
        this.out = out;
        this.kernel = F.pair("kernel", kernel, 1);
        this.stride = F.pair("stride", stride, 1);
        this.padding = F.pair("padding", padding, 0);
        this.outputPadding = F.pair("output_padding", outputPadding, 0);
        this.dilation = F.pair("dilation", dilation, 1);
        ParameterBudget.reserve("ConvTranspose2d weight", in, out, this.kernel[0], this.kernel[1]);
        // PyTorch's default: U(±1/√fan), with the fan PyTorch computes from the weight's dim 1 (out·kh·kw).
        float bound = (float) (1.0 / Math.sqrt((double) out * this.kernel[0] * this.kernel[1]));
        this.weight = registerParameter("weight", Init.uniform(bound, in, out, this.kernel[0], this.kernel[1]));
        this.bias = bias ? registerParameter("bias", Init.uniform(bound, out)) : null;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if ((x.dim() != 4 && x.dim() != 3) || x.size(x.dim() - 3) != in) {
            throw new IllegalArgumentException(this + " expects input [N, " + in + ", H, W], got shape " + Shape.str(x.shape()));
        }
        return F.convTranspose2d(x, weight, bias, stride, padding, outputPadding, dilation);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "ConvTranspose2d");
        c.put("in", in);
        c.put("out", out);
        c.put("kernel", Layers.size(kernel));
        c.put("stride", Layers.size(stride));
        c.put("padding", Layers.size(padding));
        c.put("output_padding", Layers.size(outputPadding));
        c.put("dilation", Layers.size(dilation));
        c.put("bias", bias != null);
        return c;
    }
}
