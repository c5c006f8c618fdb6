package gradus.autograd;

import gradus.tensor.Tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Whether operations record the graph. Use {@code try (var g = GradMode.noGrad()) { ... }}
 * for inference and for updates that must not be tracked (like {@code torch.no_grad()}), and
 * {@link #inputGradients} for gradients of inputs only (attributions, attacks).
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);
    /** The only leaves that count as variables, or null for every leaf that requires grad. */
    private static final ThreadLocal<Set<Tensor>> ONLY = new ThreadLocal<>();

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** A scope in which no graph is recorded; closing it restores the previous mode. */
    public static Scope noGrad() {
        return set(false);
    }

    /** A scope in which the graph is recorded again (inside a no-grad scope). */
    public static Scope enableGrad() {
        return set(true);
    }

    /**
     * A recording scope in which the leaves {@code wrt} are the only variables: every other leaf (a model's
     * parameters) counts as a constant although it requires grad, so ops record no gradient for it and backward
     * neither computes nor accumulates one (like {@code torch.autograd.grad(out, wrt)}, without touching the
     * parameters' flags, which another thread may be training). Tensors recorded before the scope keep their graph.
     */
    public static Scope inputGradients(Tensor... wrt) {
        Set<Tensor> only = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(only, wrt);
        Set<Tensor> previousOnly = ONLY.get();
        Scope enabled = set(true);
        ONLY.set(only);
        return () -> {
            ONLY.set(previousOnly);
            enabled.close();
        };
    }

    /** Whether an op on {@code t} records a gradient for it: it requires grad and, in {@link #inputGradients}, is one of its leaves or not a leaf. */
    public static boolean tracks(Tensor t) {
        if (t == null || !t.requiresGrad()) return false;
        Set<Tensor> only = ONLY.get();
        return only == null || !t.isLeaf() || only.contains(t);
    }

    private static Scope set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** An {@link AutoCloseable} that throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}
