package gradus.train;

import gradus.data.Batch;
import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.util.Map;

/** Thrown when the loss becomes NaN or infinite; the message names the step and the first offending tensor. */
public final class NonFiniteLossException extends RuntimeException {
    private NonFiniteLossException(String message) {
        super(message);
    }

    static NonFiniteLossException diagnose(int epoch, int step, float loss, Batch batch, Tensor output, Module model) {
        String culprit;
        if (!allFinite(batch.x())) culprit = "the input batch contains NaN/Inf";
        else if (batch.targets() != null && !allFinite(batch.targets())) culprit = "the targets contain NaN/Inf";
        else culprit = firstBadParameter(model);
        if (culprit == null) {
            culprit = allFinite(output) ? "the model output is finite, so the loss itself overflowed (learning rate too high?)"
                    : "the model output contains NaN/Inf";
        }
        return new NonFiniteLossException("loss became " + loss + " at epoch " + (epoch + 1) + ", step " + step + ": " + culprit);
    }

    private static String firstBadParameter(Module model) {
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            if (!allFinite(e.getValue())) return "parameter '" + e.getKey() + "' contains NaN/Inf";
            Tensor g = e.getValue().grad();
            if (g != null && !allFinite(g)) return "the gradient of parameter '" + e.getKey() + "' contains NaN/Inf";
        }
        return null;
    }

    private static boolean allFinite(Tensor t) {
        for (float v : t.toArray()) if (!Float.isFinite(v)) return false;
        return true;
    }
}
