package gradus.nn;

import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Normalizes each sample over its trailing dimensions {@code normalizedShape}, then applies weight and bias of that shape. */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final float eps;
    private final Tensor weight, bias;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f);
    }

    public LayerNorm(int[] normalizedShape, float eps) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm needs at least one normalized dimension");
        for (int d : normalizedShape) {
            if (d <= 0) throw new IllegalArgumentException("LayerNorm dimensions must be positive, got " + Arrays.toString(normalizedShape));
        }
        if (eps <= 0f) throw new IllegalArgumentException("eps must be positive, got " + eps);
        ParameterBudget.reserve("LayerNorm weight", normalizedShape);
        ParameterBudget.reserve("LayerNorm bias", normalizedShape);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.ones(normalizedShape));
        this.bias = registerParameter("bias", Tensor.zeros(normalizedShape));
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public float eps() {
        return eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "LayerNorm");
        List<Integer> shape = new ArrayList<>();
        for (int d : normalizedShape) shape.add(d);
        c.put("shape", shape);
        c.put("eps", eps);
        return c;
    }
}
