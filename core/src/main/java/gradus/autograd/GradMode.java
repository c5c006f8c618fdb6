package gradus.autograd;

/**
 * Whether operations record the graph. Use {@code try (var g = GradMode.noGrad()) { ... }}
 * for inference and for updates that must not be tracked (like {@code torch.no_grad()}).
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

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
