package gradus.nn;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adds the fixed sine/cosine position vectors of "Attention Is All You Need" to x [B, T, dim] or
 * [T, dim]: PE[p, 2i] = sin(p / 10000^(2i/dim)), PE[p, 2i+1] = cos(same). Computed, not stored.
 */
public final class SinusoidalPositionalEncoding extends Module {
    private final int maxLen, dim;
    /** The first positions' vectors, grown on demand: max_len alone (a config value) must not allocate. */
    private volatile Tensor table = Tensor.zeros(0, 1);

    public SinusoidalPositionalEncoding(int maxLen, int dim) {
        if (maxLen <= 0 || dim <= 0) throw new IllegalArgumentException("SinusoidalPositionalEncoding needs positive sizes, got maxLen=" + maxLen + ", dim=" + dim);
        this.maxLen = maxLen;
        this.dim = dim;
    }

    /** The [maxLen, dim] table. */
    public Tensor table() {
        return positions(maxLen).detach();
    }

    /** A table with at least {@code count} rows (count ≤ maxLen). */
    private Tensor positions(int count) {
        Tensor t = table;
        if (t.size(0) >= count) return t;
        synchronized (this) {
            if (table.size(0) >= count) return table;
            int rows = (int) Math.min(maxLen, Math.max(count, 2L * table.size(0)));
            float[] v = new float[ParameterBudget.reserve("SinusoidalPositionalEncoding table", rows, dim)];
            for (int p = 0; p < rows; p++) {
                for (int i = 0; i < dim; i++) {
                    double angle = p / Math.pow(10000.0, (i - i % 2) / (double) dim);
                    v[p * dim + i] = (float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
                }
            }
            table = Tensor.of(v, rows, dim);
            return table;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** x plus the vectors of positions offset..offset+T-1. */
    public Tensor forward(Tensor x, int offset) {
        int needed = x.dim() < 2 || offset < 0 ? 0 : (int) Math.min(maxLen, (long) offset + x.size(-2));
        return x.add(PositionRange.rows(positions(needed), x, offset, dim, maxLen, "SinusoidalPositionalEncoding"));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "SinusoidalPositionalEncoding");
        c.put("max_len", maxLen);
        c.put("dim", dim);
        return c;
    }
}
