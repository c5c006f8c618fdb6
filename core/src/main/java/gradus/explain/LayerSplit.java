package gradus.explain;

import gradus.nn.Conv2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A Sequential model cut after a named layer: {@code head} runs the input up to and including the layer,
 * {@code tail} the rest, so tail(head(x)) = model(x) and the layer's activation can be read or differentiated.
 * Names are dotted paths of positions through nested Sequentials ("3", "features.2").
 */
record LayerSplit(String name, UnaryOperator<Tensor> head, UnaryOperator<Tensor> tail) {

    static LayerSplit of(Module model, String path) {
        return cut(model, path, path);
    }

    private static LayerSplit cut(Module model, String path, String full) {
        if (!(model instanceof Sequential seq)) {
            throw new IllegalArgumentException("layer '" + full + "': only Sequential models can be cut at a layer, this is "
                    + model.getClass().getSimpleName());
        }
        int dot = path.indexOf('.');
        String first = dot < 0 ? path : path.substring(0, dot);
        List<Module> layers = seq.layers();
        int i;
        try {
            i = Integer.parseInt(first);
        } catch (NumberFormatException e) {
            i = -1;
        }
        if (i < 0 || i >= layers.size()) {
            throw new IllegalArgumentException("no layer '" + full + "': the Sequential has layers 0.." + (layers.size() - 1));
        }
        List<Module> before = layers.subList(0, i), after = layers.subList(i + 1, layers.size());
        if (dot < 0) return new LayerSplit(full, run(layers.subList(0, i + 1)), run(after));
        LayerSplit inner = cut(layers.get(i), path.substring(dot + 1), full);
        UnaryOperator<Tensor> pre = run(before), post = run(after);
        return new LayerSplit(full, x -> inner.head.apply(pre.apply(x)), x -> post.apply(inner.tail.apply(x)));
    }

    private static UnaryOperator<Tensor> run(List<Module> layers) {
        List<Module> copy = List.copyOf(layers);
        return x -> {
            for (Module m : copy) x = m.forward(x);
            return x;
        };
    }

    /** The path of the last Conv2d (or of the ReLU right after it), the usual Grad-CAM layer; null if none. */
    static String lastConv(Module model) {
        if (!(model instanceof Sequential seq)) return null;
        List<Module> layers = seq.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            Module m = layers.get(i);
            if (m instanceof Conv2d) {
                return Integer.toString(i + 1 < layers.size() && layers.get(i + 1) instanceof ReLU ? i + 1 : i);
            }
            String inner = lastConv(m);
            if (inner != null) return i + "." + inner;
        }
        return null;
    }
}
