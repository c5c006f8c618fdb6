package gradus.nn;

import gradus.autograd.AttentionOps;
import gradus.autograd.Ops;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rotary position embedding (RoPE, Su et al. 2021) for queries and keys [B, H, T, d]: the pair
 * (x[i], x[i + d/2]) at position p turns by the angle p·base^(−2i/d) (the "rotate half" layout of
 * GPT-NeoX and Llama). Dot products then depend only on the distance between positions. No parameters.
 */
public final class RotaryEmbedding extends Module {
    private final int dim;
    private final float base;
    private float[] cos = new float[0], sin = new float[0]; // [positions, dim/2], grown on demand
    private int positions;

    public RotaryEmbedding(int dim) {
        this(dim, 10000f);
    }

    public RotaryEmbedding(int dim, float base) {
        if (dim <= 0 || dim % 2 != 0) throw new IllegalArgumentException("RotaryEmbedding needs a positive even dim, got " + dim);
        if (base <= 1f) throw new IllegalArgumentException("RotaryEmbedding base must be > 1, got " + base);
        this.dim = dim;
        this.base = base;
    }

    public int dim() {
        return dim;
    }

    /** Rotates x [B, H, T, d] for positions 0..T-1. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** Rotates x [B, H, T, d] for positions offset..offset+T-1 (offset = tokens already in a KV cache). */
    public Tensor forward(Tensor x, int offset) {
        if (x.dim() != 4 || x.size(3) != dim) {
            throw new IllegalArgumentException("RotaryEmbedding(" + dim + ") expects [batch, heads, time, " + dim + "], got " + Shape.str(x.shape()));
        }
        if (offset < 0) throw new IllegalArgumentException("position offset must be >= 0, got " + offset);
        float[][] table = table(offset + x.size(2));
        return Ops.apply(new AttentionOps.Rotary(table[0], table[1], offset), x);
    }

    /** cos and sin tables covering at least {@code n} positions (doubling, so decoding rarely regrows them). */
    private synchronized float[][] table(int n) {
        if (n > positions) {
            int p = Math.max(n, positions * 2), half = dim / 2;
            float[] c = new float[p * half], s = new float[p * half];
            for (int pos = 0; pos < p; pos++) {
                for (int i = 0; i < half; i++) {
                    double angle = pos * Math.pow(base, -2.0 * i / dim);
                    c[pos * half + i] = (float) Math.cos(angle);
                    s[pos * half + i] = (float) Math.sin(angle);
                }
            }
            cos = c;
            sin = s;
            positions = p;
        }
        return new float[][]{cos, sin};
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "RotaryEmbedding");
        c.put("dim", dim);
        c.put("base", base);
        return c;
    }
}
