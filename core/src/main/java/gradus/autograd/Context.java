package gradus.autograd;

import gradus.tensor.Tensor;

/** What one application of an {@link Op} hands from its forward to its backward. */
public final class Context {
    private final Tensor[] inputs;
    private final boolean[] needsGrad;
    private final Backend backend;
    private Tensor output;
    private Object[] saved;

    Context(Tensor[] inputs, boolean[] needsGrad, Backend backend) {
        this.inputs = inputs;
        this.needsGrad = needsGrad;
        this.backend = backend;
    }

    public Tensor in(int i) {
        return inputs[i];
    }

    public int arity() {
        return inputs.length;
    }

    /** Whether input {@code i} gets a gradient (false for null inputs and for all of them under no-grad). */
    public boolean needsGrad(int i) {
        return needsGrad != null && needsGrad[i];
    }

    /** Whether any gradient will be asked for: forward can skip saving what only backward needs. */
    public boolean recording() {
        return needsGrad != null;
    }

    /** The kernels for these inputs: the fast float32 path, or the reference for other dtypes. */
    public Backend backend() {
        return backend;
    }

    /** The forward's result (set once forward returns). */
    public Tensor output() {
        return output;
    }

    void output(Tensor out) {
        this.output = out;
    }

    /** Keeps values the backward needs (arrays, masks, statistics). */
    public void save(Object... values) {
        this.saved = values;
    }

    @SuppressWarnings("unchecked")
    public <T> T saved(int i) {
        return (T) saved[i];
    }
}
