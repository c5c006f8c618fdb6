package gradus.quant;

import gradus.io.Safetensors.Raw;
import gradus.kernels.Int4Weight;
import gradus.kernels.WeightProduct;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Linear} with its weight in a compressed storage ({@link Scheme}), for inference only: forward
 * computes y = x·Wᵀ + b straight from the stored values and records no graph (nothing here trains).
 */
public final class QuantizedLinear extends Module {
    private final WeightProduct weight;
    private final float[] bias;

    public QuantizedLinear(WeightProduct weight, float[] bias) {
        if (bias != null && bias.length != weight.outFeatures()) {
            throw new IllegalArgumentException("bias of " + bias.length + " values for a weight of " + weight.outFeatures() + " outputs");
        }
        StoredWeights.scheme(weight); // a quantized storage, not a float one
        this.weight = weight;
        this.bias = bias;
    }

    /** {@code linear}'s weight in {@code scheme} ({@code group}: int4's group size), its bias kept in float32. */
    public static QuantizedLinear of(Linear linear, Scheme scheme, int group) {
        Tensor w = linear.weight().contiguous();
        return new QuantizedLinear(StoredWeights.quantize(scheme, w.data(), w.offset(), w.size(0), w.size(1), group),
                linear.bias() == null ? null : linear.bias().toArray());
    }

    public WeightProduct weight() {
        return weight;
    }

    public float[] bias() {
        return bias;
    }

    public Scheme scheme() {
        return StoredWeights.scheme(weight);
    }

    @Override
    public Tensor forward(Tensor x) {
        int in = weight.inFeatures(), out = weight.outFeatures();
        if (x.dim() == 0 || x.size(-1) != in) {
            throw new IllegalArgumentException("QuantizedLinear(" + in + "→" + out + ") got input of shape " + Shape.str(x.shape())
                    + "; the last dimension must be " + in);
        }
        float[] data = x.contiguousData();
        int rows = x.numel() / in;
        float[] y = new float[rows * out];
        weight.multiply(rows, data, 0, in, bias, false, y, 0, out);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return Tensor.of(y, shape);
    }

    /** The stored tensors under {@code name}: the weight's (see {@link StoredWeights}) and {@code <name>.bias} F32. */
    Map<String, Raw> tensors(String name) {
        Map<String, Raw> t = new LinkedHashMap<>(StoredWeights.tensors(name, weight));
        if (bias != null) t.put(name + ".bias", StoredWeights.f32(bias, bias.length));
        return t;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "QuantizedLinear");
        c.put("in", weight.inFeatures());
        c.put("out", weight.outFeatures());
        c.put("bias", bias != null);
        c.put("scheme", scheme().id());
        if (weight instanceof Int4Weight q) c.put("group", q.group());
        return c;
    }
}
