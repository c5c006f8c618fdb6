package gradus.io.onnx;

import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.util.Map;

/**
 * Holds the imported initializers under one dotted path segment, so that an initializer named
 * {@code encoder.layer.0.attention.self.query.bias} keeps that name in {@link Module#stateDict()}.
 */
final class Scope extends Module {
    Tensor parameter(String name, Tensor t) {
        return registerParameter(name, t);
    }

    Tensor buffer(String name, Tensor t) {
        return registerBuffer(name, t);
    }

    /** The child scope {@code name}, created on first use. */
    Scope child(String name) {
        Module m = children().get(name);
        if (m instanceof Scope s) return s;
        return registerModule(name, new Scope());
    }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("a Scope only holds imported initializers; run the OnnxModel that contains it");
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("type", "OnnxScope");
    }
}
