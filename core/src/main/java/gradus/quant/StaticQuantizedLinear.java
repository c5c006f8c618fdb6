package gradus.quant;

import gradus.kernels.Int8Weight;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link Linear} in static int8 (see {@link CalibratedProduct}), for inference only. */
public final class StaticQuantizedLinear extends Module {
    private final CalibratedProduct product;

    public StaticQuantizedLinear(Int8Weight weight, QParams input, float[] bias) {
        this.product = new CalibratedProduct(weight, input, bias);
    }

    /** {@code linear} with its inputs quantized by {@code input} (calibrated on data beforehand). */
    public static StaticQuantizedLinear of(Linear linear, QParams input) {
        Tensor w = linear.weight().contiguous();
        return new StaticQuantizedLinear(Int8Weight.quantize(w.data(), w.offset(), w.size(0), w.size(1)), input,
                linear.bias() == null ? null : linear.bias().toArray());
    }

    public QParams inputQParams() {
        return product.input;
    }

    public Int8Weight weight() {
        return product.weight;
    }

    @Override
    public Tensor forward(Tensor x) {
        int in = product.weight.inFeatures(), out = product.weight.outFeatures();
        if (x.dim() == 0 || x.size(-1) != in) {
            throw new IllegalArgumentException("StaticQuantizedLinear(" + in + "→" + out + ") got input of shape " + Shape.str(x.shape())
                    + "; the last dimension must be " + in);
        }
        int rows = x.numel() / in;
        byte[] xq = new byte[rows * in];
        product.quantize(x.contiguousData(), 0, rows * in, xq, 0);
        float[] y = new float[rows * out];
        product.multiply(rows, xq, false, (i, j, v) -> y[i * out + j] = v);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return Tensor.of(y, shape);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "StaticQuantizedLinear");
        c.put("in", product.weight.inFeatures());
        c.put("out", product.weight.outFeatures());
        c.put("bias", product.bias != null);
        c.put("input_scale", product.input.scale());
        c.put("input_zero_point", product.input.zeroPoint());
        return c;
    }
}
