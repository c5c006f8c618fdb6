package gradus.spark.tune;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Recipe parameters to search, each a dotted path into the recipe ({@code optimizer.lr}, {@code training.batch_size},
 * {@code model.layers.0.out}) with the values it may take: a list (grid and random search), or a range that random
 * search samples (uniform or log-uniform).
 */
public final class SearchSpace implements Serializable {
    private sealed interface Dimension extends Serializable permits Choice, Range {}

    private record Choice(List<Object> values) implements Dimension {}

    private record Range(double low, double high, boolean log, boolean integer) implements Dimension {}

    private final Map<String, Dimension> dimensions = new LinkedHashMap<>();

    public SearchSpace choice(String path, Object... values) {
        if (values.length == 0) throw new IllegalArgumentException(path + ": a choice needs at least one value");
        dimensions.put(path, new Choice(List.of(values)));
        return this;
    }

    /** Uniform in [low, high] (random search only). */
    public SearchSpace uniform(String path, double low, double high) {
        return range(path, low, high, false, false);
    }

    /** Log-uniform in [low, high], e.g. learning rates (random search only). */
    public SearchSpace logUniform(String path, double low, double high) {
        if (!(low > 0)) throw new IllegalArgumentException(path + ": a log-uniform range needs low > 0, got " + low);
        return range(path, low, high, true, false);
    }

    /** A whole number in [low, high] (random search only). */
    public SearchSpace integer(String path, int low, int high) {
        return range(path, low, high, false, true);
    }

    private SearchSpace range(String path, double low, double high, boolean log, boolean integer) {
        if (!(high >= low)) throw new IllegalArgumentException(path + ": range [" + low + ", " + high + "] is empty");
        dimensions.put(path, new Range(low, high, log, integer));
        return this;
    }

    public List<String> paths() {
        return List.copyOf(dimensions.keySet());
    }

    /** Every combination of the choices, the last path varying fastest. */
    public List<Map<String, Object>> grid() {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (var e : dimensions.entrySet()) {
            if (!(e.getValue() instanceof Choice c)) {
                throw new IllegalArgumentException(e.getKey() + " is a range: grid search needs a list of values (choice)");
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (var partial : out) {
                for (Object v : c.values()) {
                    Map<String, Object> m = new LinkedHashMap<>(partial);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    /**
     * {@code n} different points of a finite space (only choices) in an order shuffled by {@code seed}, or, where it
     * has a range or fewer than {@code n} points, {@link #sample}: a search that drops most trials early should not
     * spend any on a point twice.
     */
    public List<Map<String, Object>> draw(int n, long seed) {
        boolean finite = dimensions.values().stream().allMatch(d -> d instanceof Choice);
        if (!finite) return sample(n, seed);
        List<Map<String, Object>> grid = grid();
        if (grid.size() < n) return sample(n, seed);
        java.util.Collections.shuffle(grid, new Random(seed));
        return new ArrayList<>(grid.subList(0, n));
    }

    /** {@code n} points drawn independently from {@code seed}: the same seed gives the same trials. */
    public List<Map<String, Object>> sample(int n, long seed) {
        Random random = new Random(seed);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> point = new LinkedHashMap<>();
            for (var e : dimensions.entrySet()) {
                point.put(e.getKey(), switch (e.getValue()) {
                    case Choice c -> c.values().get(random.nextInt(c.values().size()));
                    case Range r when r.integer() -> (int) Math.floor(r.low() + random.nextDouble() * (r.high() - r.low() + 1));
                    case Range r when r.log() -> Math.exp(Math.log(r.low()) + random.nextDouble() * (Math.log(r.high()) - Math.log(r.low())));
                    case Range r -> r.low() + random.nextDouble() * (r.high() - r.low());
                });
            }
            out.add(point);
        }
        return out;
    }
}
