package gradus.quant;

import gradus.kernels.Int8Weight;
import gradus.nn.Conv2d;
import gradus.nn.Module;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Conv2d} in static int8, for inference only: the batch is quantized once with the calibrated input
 * parameters, unfolded into int8 patches [N·outH·outW, C·kh·kw] (padding as the zero point, so it stands for an
 * exact 0), and multiplied with the int8 weight [out, C·kh·kw] in one int8 × int8 → int32 product.
 */
public final class StaticQuantizedConv2d extends Module {
    private final CalibratedProduct product;
    private final int in, kh, kw;
    private final int[] stride, padding, dilation;
    private final boolean relu;

    private StaticQuantizedConv2d(CalibratedProduct product, int in, int kh, int kw, int[] stride, int[] padding, int[] dilation, boolean relu) {
        this.product = product;
        this.in = in;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.relu = relu;
    }

    /** {@code conv} with its inputs quantized by {@code input} (calibrated on data beforehand), weights per output channel. */
    public static StaticQuantizedConv2d of(Conv2d conv, QParams input) {
        Tensor w = conv.weight().contiguous();
        int out = w.size(0), in = w.size(1), kh = w.size(2), kw = w.size(3);
        Int8Weight q = Int8Weight.quantize(w.data(), w.offset(), out, in * kh * kw);
        return new StaticQuantizedConv2d(new CalibratedProduct(q, input, conv.bias() == null ? null : conv.bias().toArray()),
                in, kh, kw, conv.stride(), conv.padding(), conv.dilation(), conv.activation().equals("relu"));
    }

    public QParams inputQParams() {
        return product.input;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != in) {
            throw new IllegalArgumentException("StaticQuantizedConv2d(" + in + "→" + product.weight.outFeatures() + ") expects input [N, " + in
                    + ", H, W], got shape " + Shape.str(x.shape()));
        }
        int n = x.size(0), h = x.size(2), w = x.size(3);
        int oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
        int ow = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("input of shape " + Shape.str(x.shape()) + " is smaller than the kernel " + kh + "×" + kw);
        byte[] xq = new byte[x.numel()];
        product.quantize(x.contiguousData(), 0, xq.length, xq, 0);
        int patch = in * kh * kw, positions = oh * ow, out = product.weight.outFeatures();
        byte[] patches = new byte[n * positions * patch];
        byte zero = (byte) product.input.zeroPoint();
        for (int img = 0; img < n; img++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int at = ((img * oh + oy) * ow + ox) * patch;
                    for (int c = 0; c < in; c++) {
                        int plane = (img * in + c) * h * w;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * stride[0] - padding[0] + ky * dilation[0];
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * stride[1] - padding[1] + kx * dilation[1];
                                patches[at++] = iy < 0 || iy >= h || ix < 0 || ix >= w ? zero : xq[plane + iy * w + ix];
                            }
                        }
                    }
                }
            }
        }
        float[] y = new float[n * out * positions];
        product.multiply(n * positions, patches, relu, (r, j, v) -> y[(r / positions * out + j) * positions + r % positions] = v);
        return Tensor.of(y, n, out, oh, ow);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "StaticQuantizedConv2d");
        c.put("in", in);
        c.put("out", product.weight.outFeatures());
        c.put("kernel", java.util.List.of(kh, kw));
        c.put("stride", java.util.List.of(stride[0], stride[1]));
        c.put("padding", java.util.List.of(padding[0], padding[1]));
        c.put("dilation", java.util.List.of(dilation[0], dilation[1]));
        c.put("bias", product.bias != null);
        if (relu) c.put("activation", "relu");
        c.put("input_scale", product.input.scale());
        c.put("input_zero_point", product.input.zeroPoint());
        return c;
    }
}
