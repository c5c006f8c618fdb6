package gradus.spark;

import gradus.tensor.Tensor;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A state dict in a form Spark can serialize: names, shapes and values in the model's order. */
public record Weights(List<String> names, List<int[]> shapes, List<float[]> values) implements Serializable {
    public static Weights of(Map<String, Tensor> state) {
        List<String> names = List.copyOf(state.keySet());
        List<int[]> shapes = names.stream().map(n -> state.get(n).shape()).toList();
        List<float[]> values = names.stream().map(n -> state.get(n).toArray()).toList();
        return new Weights(names, shapes, values);
    }

    public Map<String, Tensor> toStateDict() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) state.put(names.get(i), Tensor.of(values.get(i).clone(), shapes.get(i)));
        return state;
    }
}
