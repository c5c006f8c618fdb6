package gradus.nn;

import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Parameter-free elementwise layers: ReLU, LeakyReLU, GELU, SiLU, Sigmoid, Tanh, Softmax. */
public class Activation extends Module {
    private final String type;
    private final UnaryOperator<Tensor> fn;
    private final Map<String, Object> extra;

    protected Activation(String type, UnaryOperator<Tensor> fn, Map<String, Object> extra) {
        this.type = type;
        this.fn = fn;
        this.extra = extra;
    }

    @Override
    public Tensor forward(Tensor x) {
        return fn.apply(x);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.putAll(extra);
        return c;
    }
}
