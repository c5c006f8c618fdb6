package gradus.federated;

import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.util.Collection;

/**
 * A model's state (parameters and buffers, in {@link Module#stateDict()} order) as one flat vector: what
 * clients and the server exchange and average. Buffers such as BatchNorm running statistics are averaged too.
 */
public final class FlatWeights {
    private FlatWeights() {}

    public static int size(Module model) {
        long n = 0;
        for (Tensor t : model.stateDict().values()) n += t.numel();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("model has " + n + " values, more than one vector holds");
        return (int) n;
    }

    public static float[] get(Module model) {
        Collection<Tensor> tensors = model.stateDict().values();
        float[] out = new float[size(model)];
        int at = 0;
        for (Tensor t : tensors) {
            float[] d = t.contiguousData();
            System.arraycopy(d, 0, out, at, d.length);
            at += d.length;
        }
        return out;
    }

    public static void set(Module model, float[] weights) {
        int expected = size(model);
        if (weights.length != expected) {
            throw new IllegalArgumentException("weight vector has " + weights.length + " values, the model " + expected);
        }
        int at = 0;
        for (Tensor t : model.stateDict().values()) {
            float[] part = new float[t.numel()];
            System.arraycopy(weights, at, part, 0, part.length);
            t.copyFrom(Tensor.of(part, t.shape()));
            at += part.length;
        }
    }
}
