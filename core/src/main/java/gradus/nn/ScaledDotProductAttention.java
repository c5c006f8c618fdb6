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
        int area = tq * tk;
        float[] probs = grad || needWeights ? new float[b * h * area] : null;
        float[] keep = dropout > 0f ? dropoutFactors(b * h * area, dropout, rng) : null;
        float[] out = new float[b * tq * h * dv];
        AttentionKernel.forward(s, operand(qc), operand(kc), operand(vc), probs, keep, headsInterleaved(out, tq, h, dv));
        Tensor base = Tensor.of(out, b, tq, h, dv);
        Tensor weights = needWeights ? Tensor.of(probs.clone(), b, h, tq, tk) : null;
        Tensor.record(base, "scaledDotProductAttention", g -> {
            Tensor gc = g.contiguous();
            float[] gq = qc.requiresGrad() ? new float[b * tq * h * d] : null;
            float[] gk = kc.requiresGrad() ? new float[b * tk * h * d] : null;
            float[] gv = vc.requiresGrad() ? new float[b * tk * h * dv] : null;
            AttentionKernel.backward(s, operand(qc), operand(kc), operand(vc), probs, keep,
                    new AttentionKernel.Operand(gc.data(), gc.offset(), tq * h * dv, dv, h * dv),
                    gq == null ? null : headsInterleaved(gq, tq, h, d),
                    gk == null ? null : headsInterleaved(gk, tk, h, d),
                    gv == null ? null : headsInterleaved(gv, tk, h, dv));
            return new Tensor[]{asHeads(gq, b, tq, h, d), asHeads(gk, b, tk, h, d), asHeads(gv, b, tk, h, dv)};
        }, qc, kc, vc);
        return new Result(base.transpose(1, 2), weights);
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
        return new AttentionKernel.Operand(a, 0, t * h * dim, dim, h * dim);
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
