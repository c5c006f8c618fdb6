package gradus.nn;

import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Applies its layers in order; their names are their positions ("0", "1", …) as in PyTorch. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        this(List.of(layers));
    }

    public Sequential(List<? extends Module> layers) {
        for (Module m : layers) add(m);
    }

    public Sequential add(Module layer) {
        registerModule(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.forward(x);
        return x;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Sequential");
        List<Map<String, Object>> specs = new ArrayList<>();
        for (Module m : layers) specs.add(m.config());
        c.put("layers", specs);
        return c;
    }
}
