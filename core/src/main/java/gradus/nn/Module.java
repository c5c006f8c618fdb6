package gradus.nn;

import gradus.autograd.GradMode;
import gradus.tensor.StateDicts;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or a model: named parameters, buffers (state that is saved but not trained, like
 * BatchNorm's running statistics) and child modules, in registration order. Subclasses register
 * them in the constructor and implement {@link #forward}. {@link #config()} describes the module
 * so that {@link Layers#fromConfig} can rebuild it without code.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor input);

    /** The module's type and hyperparameters, enough to rebuild it with {@link Layers#fromConfig}. */
    public abstract Map<String, Object> config();

    /** Applies the module without recording a graph, in its current mode. */
    public Tensor predict(Tensor input) {
        try (var g = GradMode.noGrad()) {
            return forward(input);
        }
    }

    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("invalid name '" + name + "'");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** Direct children, in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Trainable tensors of this module and its descendants. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters keyed by dotted path ({@code "0.weight"}, {@code "encoder.1.bias"}). */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    /** Parameters and buffers keyed by dotted path: everything a checkpoint stores. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withBuffers));
    }

    /**
     * Copies values into this module's parameters and buffers. Every key must exist on both
     * sides with the same shape; the error names the missing, unexpected or mismatched keys.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> mine = stateDict();
        StateDicts.requireMatch("state dict does not match " + getClass().getSimpleName(), mine, state, "checkpoint", "model");
        for (var e : mine.entrySet()) e.getValue().copyFrom(state.get(e.getKey()));
    }

    public Module train() {
        return setTraining(true);
    }

    public Module eval() {
        return setTraining(false);
    }

    private Module setTraining(boolean on) {
        training = on;
        children.values().forEach(m -> m.setTraining(on));
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        describe(sb, "");
        return sb.toString();
    }

    private void describe(StringBuilder sb, String indent) {
        sb.append(getClass().getSimpleName());
        if (children.isEmpty()) {
            Map<String, Object> c = new LinkedHashMap<>(config());
            c.remove("type");
            if (!c.isEmpty()) sb.append(c.toString().replace('{', '(').replace('}', ')'));
            return;
        }
        sb.append("(\n");
        children.forEach((k, m) -> {
            sb.append(indent).append("  (").append(k).append("): ");
            m.describe(sb, indent + "  ");
            sb.append('\n');
        });
        sb.append(indent).append(')');
    }
}
