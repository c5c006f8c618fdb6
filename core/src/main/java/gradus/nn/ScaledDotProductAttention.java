package gradus.nn;

import gradus.autograd.GradMode;
import gradus.kernels.AttentionKernel;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/**
 * softmax(Q·Kᵀ/√d + mask)·V as one autograd operation with a hand-written backward
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
        boolean grad = GradMode.isEnabled() && (qc.requiresGrad() || kc.requiresGrad() || vc.requiresGrad());
        var s = new AttentionKernel.Shape(b, h, tq, tk, d, dv, (float) (1.0 / Math.sqrt(d)), causal,
                padding == null ? null : padding.flags(b, tk));
        Forward f = forward(s, operand(qc), operand(kc), operand(vc), grad, dropout, rng, needWeights);
        Tensor.record(f.base, "scaledDotProductAttention", g -> {
            float[] gq = qc.requiresGrad() ? new float[b * tq * h * d] : null;
            float[] gk = kc.requiresGrad() ? new float[b * tk * h * d] : null;
            float[] gv = vc.requiresGrad() ? new float[b * tk * h * dv] : null;
            AttentionKernel.backward(s, operand(qc), operand(kc), operand(vc), f.probs, f.keep, outputGradient(g, tq, h, dv),
                    gq == null ? null : headsInterleaved(gq, tq, h, d),
                    gk == null ? null : headsInterleaved(gk, tk, h, d),
                    gv == null ? null : headsInterleaved(gv, tk, h, dv));
            return new Tensor[]{asHeads(gq, b, tq, h, d), asHeads(gk, b, tk, h, d), asHeads(gv, b, tk, h, dv)};
        }, qc, kc, vc);
        return new Result(f.base.transpose(1, 2), f.weights);
    }

    /**
     * Self-attention over one packed projection qkv [B, T, 3·H·d] whose last dimension holds q, k and v side
     * by side, each [H, d] (what {@link FusedLinear#stacked} writes): the result of {@link #apply} on its
     * three head views, but with one gradient for qkv, written in place, rather than three full-size
     * gradients of the views that autograd would then add up. Output [B, H, T, d] as from apply.
     */
    public static Result packed(Tensor qkv, int heads, boolean causal, KeyPadding padding, float dropout, Rng rng, boolean needWeights) {
        if (qkv.dim() != 3 || heads <= 0 || qkv.size(2) % (3 * heads) != 0) {
            throw new IllegalArgumentException("packed attention expects qkv [batch, time, 3·heads·dim] for " + heads + " heads, got " + Shape.str(qkv.shape()));
        }
        if (dropout < 0f || dropout >= 1f) throw new IllegalArgumentException("attention dropout must be in [0, 1), got " + dropout);
        Tensor c = qkv.contiguous();
        int b = c.size(0), t = c.size(1), hd = c.size(2) / 3, d = hd / heads, ld = 3 * hd;
        var s = new AttentionKernel.Shape(b, heads, t, t, d, d, (float) (1.0 / Math.sqrt(d)), causal,
                padding == null ? null : padding.flags(b, t));
        boolean grad = GradMode.isEnabled() && c.requiresGrad();
        // q, k and v of each token sit side by side, hd columns each; heads d columns apart within them.
        var q = AttentionKernel.Operand.tokenMajor(c.data(), c.offset(), t, ld, d);
        var k = AttentionKernel.Operand.tokenMajor(c.data(), c.offset() + hd, t, ld, d);
        var v = AttentionKernel.Operand.tokenMajor(c.data(), c.offset() + 2 * hd, t, ld, d);
        Forward f = forward(s, q, k, v, grad, dropout, rng, needWeights);
        Tensor.record(f.base, "scaledDotProductAttention", g -> {
            float[] gqkv = new float[c.numel()]; // every column is written: q, k and v blocks cover it
            AttentionKernel.backward(s, q, k, v, f.probs, f.keep, outputGradient(g, t, heads, d),
                    AttentionKernel.Operand.tokenMajor(gqkv, 0, t, ld, d), AttentionKernel.Operand.tokenMajor(gqkv, hd, t, ld, d),
                    AttentionKernel.Operand.tokenMajor(gqkv, 2 * hd, t, ld, d));
            return new Tensor[]{Tensor.of(gqkv, c.shape())};
        }, c);
        return new Result(f.base.transpose(1, 2), f.weights);
    }

    /** The forward's output [B, Tq, H, dv], and what its backward needs: the softmax rows and dropout factors. */
    private record Forward(Tensor base, float[] probs, float[] keep, Tensor weights) {}

    private static Forward forward(AttentionKernel.Shape s, AttentionKernel.Operand q, AttentionKernel.Operand k, AttentionKernel.Operand v,
                                   boolean grad, float dropout, Rng rng, boolean needWeights) {
        int area = s.tq() * s.tk(), pairs = s.batch() * s.heads();
        float[] probs = grad || needWeights ? new float[pairs * area] : null;
        float[] keep = dropout > 0f ? dropoutFactors(pairs * area, dropout, rng) : null;
        float[] out = new float[s.batch() * s.tq() * s.heads() * s.dv()];
        AttentionKernel.forward(s, q, k, v, probs, keep, headsInterleaved(out, s.tq(), s.heads(), s.dv()));
        Tensor weights = needWeights ? Tensor.of(probs.clone(), s.batch(), s.heads(), s.tq(), s.tk()) : null;
        return new Forward(Tensor.of(out, s.batch(), s.tq(), s.heads(), s.dv()), probs, keep, weights);
    }

    /** The output gradient [B, Tq, H, dv] seen per (batch, head). */
    private static AttentionKernel.Operand outputGradient(Tensor g, int tq, int h, int dv) {
        Tensor gc = g.contiguous();
        return AttentionKernel.Operand.tokenMajor(gc.data(), gc.offset(), tq, h * dv, dv);
    }

    /** The input itself when each row of each head is contiguous (any batch/head/row strides), else a copy. */
    private static Tensor rowsContiguous(Tensor t) {
        return t.strides()[3] == 1 || t.size(3) == 1 ? t : t.contiguous();
    }

    private static AttentionKernel.Operand operand(Tensor t) {
        int[] st = t.strides();
        return new AttentionKernel.Operand(t.data(), t.offset(), st[0], st[1], st[2]);
    }

    /** A [B, T, H, dim] buffer seen per (batch, head). */
    private static AttentionKernel.Operand headsInterleaved(float[] a, int t, int h, int dim) {
        return AttentionKernel.Operand.tokenMajor(a, 0, t, h * dim, dim);
    }

    private static Tensor asHeads(float[] a, int b, int t, int h, int dim) {
        return a == null ? null : Tensor.of(a, b, t, h, dim).transpose(1, 2);
    }

    private static float[] dropoutFactors(int n, float p, Rng rng) {
        float[] m = new float[n];
        rng.uniform(m, 0f, 1f);
        float scale = 1f / (1f - p);
        for (int i = 0; i < n; i++) m[i] = m[i] < p ? 0f : scale;
        return m;
    }
}
