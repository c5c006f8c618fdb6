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
    private final Tensor table;

    public SinusoidalPositionalEncoding(int maxLen, int dim) {
        if (maxLen <= 0 || dim <= 0) throw new IllegalArgumentException("SinusoidalPositionalEncoding needs positive sizes, got maxLen=" + maxLen + ", dim=" + dim);
        this.maxLen = maxLen;
        this.dim = dim;
        float[] t = new float[maxLen * dim];
        for (int p = 0; p < maxLen; p++) {
            for (int i = 0; i < dim; i++) {
                double angle = p / Math.pow(10000.0, (i - i % 2) / (double) dim);
                t[p * dim + i] = (float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        this.table = Tensor.of(t, maxLen, dim);
    }

    /** The [maxLen, dim] table. */
    public Tensor table() {
        return table.detach();
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** x plus the vectors of positions offset..offset+T-1. */
    public Tensor forward(Tensor x, int offset) {
        return x.add(PositionRange.rows(table, x, offset, dim, maxLen, "SinusoidalPositionalEncoding"));
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
