package gradus.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How many values the layers being built may allocate for their parameters and buffers, checked by each layer
 * <em>before</em> it allocates: a config cannot make Gradus try to allocate gigabytes. Loading a saved model builds
 * it {@link #within} the values its weight file holds; otherwise every layer is held to {@link #defaultLimit}.
 */
public final class ParameterBudget {
    /** The system property that overrides {@link #defaultLimit} (a count of values). */
    public static final String PROPERTY = "gradus.maxParameters";
    /** The largest Java array. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final ThreadLocal<Scope> SCOPE = new ThreadLocal<>();

    private ParameterBudget() {}

    private static final class Scope {
        final long limit;
        final String source;
        long used;

        Scope(long limit, String source) {
            this.limit = limit;
            this.source = source;
        }
    }

    /**
     * {@code -Dgradus.maxParameters=N}, else what the heap can train: a quarter of it at 16 bytes a parameter
     * (weights, gradients and Adam's two moments), so a model that cannot fit is refused with a clear error.
     */
    public static long defaultLimit() {
        Long configured = Long.getLong(PROPERTY);
        return configured != null && configured > 0 ? configured : Math.max(1, Runtime.getRuntime().maxMemory() / 4 / 16);
    }

    /**
     * Builds with at most {@code limit} values in all, {@code source} saying where the limit comes from
     * ("the 1,234 values stored in model.safetensors"). Nested calls keep the outer budget.
     */
    public static <T> T within(long limit, String source, Supplier<T> build) {
        if (SCOPE.get() != null) return build.get();
        SCOPE.set(new Scope(limit, source));
        try {
            return build.get();
        } finally {
            SCOPE.remove();
        }
    }

    /** {@link #within} the {@link #defaultLimit}, counted over the whole model. */
    public static <T> T withinDefault(Supplier<T> build) {
        long limit = defaultLimit();
        return within(limit, String.format(Locale.ROOT, "the limit of %,d parameters (-D%s, or a quarter of the heap at 16 bytes each)",
                limit, PROPERTY), build);
    }

    /**
     * Checks that every size of {@code what} (a tensor a layer is about to allocate, as "Linear weight") is positive
     * and that their exact product fits an array and the budget, charges it, and returns it.
     */
    static int reserve(String what, int... sizes) {
        int count = check(what, sizes);
        Scope scope = SCOPE.get();
        if (scope != null) scope.used += count;
        return count;
    }

    /** As {@link #reserve}, for a size that is not allocated by itself (a loop bound, a row width): nothing is charged. */
    static int check(String what, int... sizes) {
        long count = 1;
        for (int s : sizes) {
            if (s <= 0) throw new IllegalArgumentException(what + " needs positive sizes, got " + Arrays.toString(sizes));
            count = count > MAX_ARRAY ? count : Math.multiplyExact(count, (long) s); // stays below 2^62
        }
        Scope scope = SCOPE.get();
        long limit = scope == null ? defaultLimit() : scope.limit - scope.used;
        if (count > MAX_ARRAY || count > limit) {
            String source = scope == null ? String.format(Locale.ROOT, "the limit of %,d parameters (-D%s)", defaultLimit(), PROPERTY)
                    : scope.source + (scope.used > 0 ? String.format(Locale.ROOT, " (%,d of them used by the layers before)", scope.used) : "");
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s %s has %,d values, more than %s",
                    what, Arrays.toString(sizes), count, count > MAX_ARRAY && count <= limit ? "a Java array holds" : source));
        }
        return (int) count;
    }
}
