package gradus.quant;

import gradus.nn.Conv2d;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.Sequential;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Post-training static int8 (ONNX Runtime's quantize_static, torch.ao's prepare/convert): the float model runs
 * over a calibration sample; an {@link Observer} per {@link Linear} and {@link Conv2d} watches the layer's
 * inputs and fixes their int8 parameters; the layer becomes a {@link StaticQuantizedLinear} or
 * {@link StaticQuantizedConv2d} with per-output-channel int8 weights. Layers are walked through
 * {@link Sequential} containers; others (activations, pooling, norms) stay float and are shared.
 */
public final class StaticQuantization {
    private StaticQuantization() {}

    /** {@code model} in static int8, calibrated on {@code sample} (batches of the model's input) with {@code observer}'s kind. */
    public static Module quantize(Module model, List<Tensor> sample, Supplier<Observer> observer) {
        if (sample.isEmpty()) throw new IllegalArgumentException("static quantization needs calibration data: the sample is empty");
        boolean training = model.isTraining();
        model.eval();
        try {
            List<Tensor> activations = new ArrayList<>(sample);
            Module q = convert(model, activations, observer, "model");
            q.eval();
            return q;
        } finally {
            if (training) model.train();
        }
    }

    /** Converts {@code m}, observing {@code inputs}, which it replaces in place with {@code m}'s float outputs. */
    private static Module convert(Module m, List<Tensor> inputs, Supplier<Observer> observer, String path) {
        if (m instanceof Sequential s) {
            List<Module> layers = new ArrayList<>();
            for (int i = 0; i < s.layers().size(); i++) layers.add(convert(s.layers().get(i), inputs, observer, path + "." + i));
            return new Sequential(layers);
        }
        Module converted = m;
        if (m instanceof Linear || m instanceof Conv2d) {
            Observer o = observer.get();
            for (Tensor x : inputs) {
                float[] v = x.contiguousData();
                o.observe(v, 0, x.numel());
            }
            QParams qp = o.qparams();
            converted = m instanceof Linear l ? StaticQuantizedLinear.of(l, qp) : StaticQuantizedConv2d.of((Conv2d) m, qp);
        }
        for (int b = 0; b < inputs.size(); b++) {
            try {
                inputs.set(b, m.predict(inputs.get(b)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("calibration batch " + b + " of shape " + Shape.str(inputs.get(b).shape())
                        + " does not fit layer " + path + " (" + m + "): " + e.getMessage(), e);
            }
        }
        return converted;
    }
}
