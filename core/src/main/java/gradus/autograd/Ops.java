package gradus.autograd;

import gradus.tensor.Tensor;

/**
 * Runs ops. The only place that records graph nodes: when grad mode is on and an input requires grad.
 * A {@link Fused} op runs its own kernels only on a backend that has them ({@link Backend#fusedKernels()});
 * elsewhere it runs as its composite of primitive ops, recorded as those.
 */
public final class Ops {
    private static volatile Graph graph;
    private static final ThreadLocal<BackwardObserver> OBSERVER = new ThreadLocal<>();

    private Ops() {}

    /** Runs {@code op} on {@code inputs} (null entries allowed for optional inputs, e.g. a missing bias). */
    public static Tensor apply(Op op, Tensor... inputs) {
        boolean[] needs = null;
        if (GradMode.isEnabled()) {
            for (int i = 0; i < inputs.length; i++) {
                if (GradMode.tracks(inputs[i])) {
                    if (needs == null) needs = new boolean[inputs.length];
                    needs[i] = true;
                }
            }
        }
        BackwardObserver observer = OBSERVER.get();
        if (needs != null && observer != null) {
            // Still recorded, so that the observer sees the node; the observer makes these gradients itself.
            for (int i = 0; i < inputs.length; i++) if (needs[i] && observer.makesGradientOf(inputs[i])) needs[i] = false;
        }
        Backend backend = Backend.of(inputs);
        // A backend without fused kernels (the reference, a new device) runs the fused op as its primitives.
        if (op instanceof Fused fused && !backend.fusedKernels()) return fused.composite(inputs);
        Context ctx = new Context(inputs, needs, backend);
        if (needs == null) return op.forward(ctx);
        Tensor out;
        try (var g = GradMode.noGrad()) {
            out = op.forward(ctx);
        }
        ctx.output(out);
        Node.Backward backward = observer == null ? grad -> op.backward(ctx, grad)
                : grad -> {
                    observer.backward(op, ctx, grad);
                    return op.backward(ctx, grad);
                };
        graph.attach(out, new Node(op.name(), edges(inputs, needs), backward));
        return out;
    }

    /**
     * Sees the output gradient of every op recorded while it is installed, when backward reaches that op
     * (DP-SGD's per-sample rules read the op's inputs and saved values from {@code ctx}).
     */
    @FunctionalInterface
    public interface BackwardObserver {
        void backward(Op op, Context ctx, Tensor gradOutput);

        /** Whether the observer computes {@code input}'s gradient itself, so that the ops need not (DP-SGD's parameters). */
        default boolean makesGradientOf(Tensor input) {
            return false;
        }
    }

    /** Installs {@code observer} on this thread for the ops recorded until the scope closes. */
    public static GradMode.Scope observe(BackwardObserver observer) {
        BackwardObserver previous = OBSERVER.get();
        OBSERVER.set(observer);
        return () -> OBSERVER.set(previous);
    }

    /**
     * The inputs backward flows to: all of them, except that an input which requires grad but is not tracked
     * (a parameter under {@link GradMode#inputGradients}, or one whose gradient an observer makes itself) is left out,
     * so no gradient reaches it.
     */
    private static Tensor[] edges(Tensor[] inputs, boolean[] needs) {
        Tensor[] edges = inputs;
        for (int i = 0; i < inputs.length; i++) {
            if (!needs[i] && inputs[i] != null && inputs[i].requiresGrad()) {
                if (edges == inputs) edges = inputs.clone();
                edges[i] = null;
            }
        }
        return edges;
    }

    /** How the op layer marks a tensor as computed by a node; {@link Tensor} hands it over once, when it loads. */
    public interface Graph {
        void attach(Tensor out, Node node);
    }

    /** Called by {@link Tensor}'s static initializer, which runs before any tensor (hence any op) exists. */
    public static synchronized void bind(Graph g) {
        if (graph != null) throw new IllegalStateException("the graph hook is bound once, by Tensor");
        graph = g;
    }
}
