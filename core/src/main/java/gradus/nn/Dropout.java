package gradus.nn;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inverted dropout: in training, zeroes each value with probability p (mask drawn from
 * {@link Rng#global()}) and scales the survivors by 1/(1-p), so eval() is the identity.
 */
public final class Dropout extends Module {
    private final float p;

    public Dropout(float p) {
        if (p < 0f || p > 1f) throw new IllegalArgumentException("Dropout probability must be in [0, 1], got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), Rng.global());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Dropout");
        c.put("p", p);
        return c;
    }
}
