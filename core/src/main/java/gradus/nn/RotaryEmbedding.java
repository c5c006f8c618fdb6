package gradus.nn;

import gradus.kernels.Parallel;
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
        int b = x.size(0), h = x.size(1), t = x.size(2);
        float[][] table = table(offset + t);
        float[] c = table[0], s = table[1];
        float[] out = new float[x.numel()];
        rotate(x, c, s, offset, out, 1f);
        Tensor base = Tensor.of(out, b, t, h, dim);
        Tensor.record(base, "rotary", g -> {
            float[] gx = new float[g.numel()];
            // The inverse rotation, written in x's [B, H, T, d] order through the same strided walk.
            rotate(g.transpose(1, 2), c, s, offset, gx, -1f);
            return new Tensor[]{Tensor.of(gx, b, t, h, dim).transpose(1, 2)};
        }, x);
        return base.transpose(1, 2);
    }

    /** out (laid out [B, T, H, d]) = x rotated by sign·angle; x is [B, H, T, d] with any strides. */
    private void rotate(Tensor x, float[] c, float[] s, int offset, float[] out, float sign) {
        int b = x.size(0), h = x.size(1), t = x.size(2), half = dim / 2;
        int[] st = x.strides();
        float[] in = x.data();
        int xo = x.offset();
        Parallel.forRange(b * t, Math.max(1, 4096 / (h * dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int bi = r / t, ti = r % t, row = (offset + ti) * half;
                for (int hi = 0; hi < h; hi++) {
                    int src = xo + bi * st[0] + hi * st[1] + ti * st[2], dst = (r * h + hi) * dim;
                    for (int i = 0; i < half; i++) {
                        float x1 = in[src + i * st[3]], x2 = in[src + (i + half) * st[3]];
                        float cs = c[row + i], sn = sign * s[row + i];
                        out[dst + i] = x1 * cs - x2 * sn;
                        out[dst + i + half] = x2 * cs + x1 * sn;
                    }
                }
            }
        });
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
