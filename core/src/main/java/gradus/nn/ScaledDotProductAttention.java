package gradus.nn;

import gradus.autograd.AttentionOps;
import gradus.autograd.Ops;
import gradus.kernels.AttentionKernel;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/**
 * softmax(Q·Kᵀ/√d + mask)·V as one op ({@link AttentionOps}) with a hand-written backward
 * ({@link AttentionKernel}): only the softmax rows are kept for the gradient, and nothing at all
 * when no input requires grad. Inputs are [B, H, T, d]; the output is [B, H, Tq, dv].
 */
public final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /** The attention output and, when asked for, the (pre-dropout) weights [B, H, Tq, Tk], detached. */
    public record Result(Tensor output, Tensor weights) {}

    /**
     * @param causal      query i sees keys up to i + (Tk − Tq) (causal, aligned at the end for cached decoding)
     * @param padding     keys to ignore per batch row, or null
     * @param dropout     probability of dropping an attention weight (inverted dropout); 0 for none
     * @param rng         source of the dropout mask (unused when dropout is 0)
     * @param needWeights also return the attention weights
     */
    public static Result apply(Tensor q, Tensor k, Tensor v, boolean causal, KeyPadding padding,
                               float dropout, Rng rng, boolean needWeights) {
        return apply(q, k, v, causal, padding, null, dropout, rng, needWeights);
    }

    /** {@link #apply} where each query sees only the keys of {@code window} (null: all). */
    public static Result apply(Tensor q, Tensor k, Tensor v, boolean causal, KeyPadding padding, AttentionWindow window,
                               float dropout, Rng rng, boolean needWeights) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException("attention expects q, k, v of shape [batch, heads, time, dim], got "
                    + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
        }
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3), tk = k.size(2), dv = v.size(3);
        if (k.size(0) != b || k.size(1) != h || k.size(3) != d || v.size(0) != b || v.size(1) != h || v.size(2) != tk) {
            throw new IllegalArgumentException("attention shapes do not fit: q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape())
                    + ", v " + Shape.str(v.shape()) + " (k needs [B, H, Tk, d] and v [B, H, Tk, dv] with q's B, H and d)");
        }
        if (dropout < 0f || dropout >= 1f) throw new IllegalArgumentException("attention dropout must be in [0, 1), got " + dropout);
        Tensor qc = rowsContiguous(q), kc = rowsContiguous(k), vc = rowsContiguous(v);
        var s = new AttentionKernel.Shape(b, h, tq, tk, d, dv, (float) (1.0 / Math.sqrt(d)), causal,
                padding == null ? null : padding.flags(b, tk), window == null ? null : window.forCall(tq, tk));
        float[] keep = dropout > 0f ? dropoutFactors(s, dropout, rng) : null;
        float[] weights = needWeights ? new float[b * h * tq * tk] : null;
        Tensor out = Ops.apply(new AttentionOps.Attention(s, keep, weights), qc, kc, vc);
        return new Result(out, weights == null ? null : Tensor.of(weights, b, h, tq, tk));
    }

    /**
     * Self-attention over one packed projection qkv [B, T, 3·H·d] whose last dimension holds q, k and v side
     * by side, each [H, d] (what {@link FusedLinear#stacked} writes): the result of {@link #apply} on its
     * three head views, but with one gradient for qkv, written in place, rather than three full-size
     * gradients of the views that autograd would then add up. Output [B, H, T, d] as from apply.
     */
    public static Result packed(Tensor qkv, int heads, boolean causal, KeyPadding padding, float dropout, Rng rng, boolean needWeights) {
        return packed(qkv, heads, causal, padding, null, dropout, rng, needWeights);
    }

    /** {@link #packed} where each query sees only the keys of {@code window} (null: all). */
    public static Result packed(Tensor qkv, int heads, boolean causal, KeyPadding padding, AttentionWindow window,
                                float dropout, Rng rng, boolean needWeights) {
        if (qkv.dim() != 3 || heads <= 0 || qkv.size(2) % (3 * heads) != 0) {
            throw new IllegalArgumentException("packed attention expects qkv [batch, time, 3·heads·dim] for " + heads + " heads, got " + Shape.str(qkv.shape()));
        }
        if (dropout < 0f || dropout >= 1f) throw new IllegalArgumentException("attention dropout must be in [0, 1), got " + dropout);
        int b = qkv.size(0), t = qkv.size(1), hd = qkv.size(2) / 3, d = hd / heads;
        var s = new AttentionKernel.Shape(b, heads, t, t, d, d, (float) (1.0 / Math.sqrt(d)), causal,
                padding == null ? null : padding.flags(b, t), window == null ? null : window.forCall(t, t));
        float[] keep = dropout > 0f ? dropoutFactors(s, dropout, rng) : null;
        float[] weights = needWeights ? new float[b * heads * t * t] : null;
        Tensor out = Ops.apply(new AttentionOps.PackedAttention(s, keep, weights), qkv);
        return new Result(out, weights == null ? null : Tensor.of(weights, b, heads, t, t));
    }

    /** The input itself when each row of each head is contiguous (any batch/head/row strides), else a copy. */
    private static Tensor rowsContiguous(Tensor t) {
        return t.strides()[3] == 1 || t.size(3) == 1 ? t : t.contiguous();
    }

    /** Factors 0 or 1/(1−p) for the weights the kernel keeps (every Tq × Tk pair, or a window's band). */
    private static float[] dropoutFactors(AttentionKernel.Shape s, float p, Rng rng) {
        int n = Math.toIntExact(s.savedSize());
        float[] m = new float[n];
        rng.uniform(m, 0f, 1f);
        float scale = 1f / (1f - p);
        for (int i = 0; i < n; i++) m[i] = m[i] < p ? 0f : scale;
        return m;
    }
}
