package gradus.nn;

import gradus.nn.init.Init;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** y = x·Wᵀ + b, with W of shape [out, in] (PyTorch's layout, so weights import as they are). */
public final class Linear extends Module {
    private final int in, out;
    private final Tensor weight, bias;

    public Linear(int in, int out) {
        this(in, out, true);
    }

    public Linear(int in, int out, boolean bias) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Linear needs positive sizes, got in=" + in + ", out=" + out);
        ParameterBudget.reserve("Linear weight", out, in);
        if (bias) ParameterBudget.reserve("Linear bias", out);
        this.in = in;
        this.out = out;
        // PyTorch's default: Kaiming-uniform with a=√5, i.e. U(-1/√in, 1/√in), for weight and bias alike.
        float bound = (float) (1.0 / Math.sqrt(in));
        this.weight = registerParameter("weight", Init.uniform(bound, out, in));
        this.bias = bias ? registerParameter("bias", Init.uniform(bound, out)) : null;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.size(-1) != in) {
            throw new IllegalArgumentException("Linear(" + in + "→" + out + ") got input of shape " + Shape.str(x.shape())
                    + "; the last dimension must be " + in);
        }
        return F.linear(x, weight, bias);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Linear");
        c.put("in", in);
        c.put("out", out);
        c.put("bias", bias != null);
        return c;
    }
}
