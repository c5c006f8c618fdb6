package gradus.autograd;

import gradus.kernels.Parallel;
import gradus.tensor.DType;
import gradus.kernels.AttentionKernel;
import gradus.tensor.Tensor;

/**
 * softmax(Q·Kᵀ·scale + mask)·V as fused ops with the hand-written backward of {@link AttentionKernel} (only the
 * softmax rows are kept for the gradient, nothing when no input requires grad), and rotary position embedding.
 */
public final class AttentionOps {
    private AttentionOps() {}

    /**
     * Attention over q [B, H, Tq, d], k [B, H, Tk, d], v [B, H, Tk, dv] (rows contiguous) → [B, H, Tq, dv].
     * {@code keep} holds inverted-dropout factors in the kernel's saved layout ({@link AttentionKernel.Shape#savedSize}:
     * [B, H, Tq, Tk] without a window) or null; {@code weights}, when not null, receives the pre-dropout attention
     * weights (an output buffer of B·H·Tq·Tk values).
     */
    public record Attention(AttentionKernel.Shape shape, float[] keep, float[] weights) implements Fused {
        public String name() { return "scaledDotProductAttention"; }

        public Tensor forward(Context ctx) {
            Tensor q = ctx.in(0), k = ctx.in(1), v = ctx.in(2);
            return run(ctx, shape, keep, weights, operand(q), operand(k), operand(v), null);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            AttentionKernel.Shape s = shape;
            int b = s.batch(), h = s.heads(), tq = s.tq(), tk = s.tk(), d = s.d(), dv = s.dv();
            float[] gq = ctx.needsGrad(0) ? new float[b * tq * h * d] : null;
            float[] gk = ctx.needsGrad(1) ? new float[b * tk * h * d] : null;
            float[] gv = ctx.needsGrad(2) ? new float[b * tk * h * dv] : null;
            AttentionKernel.backward(s, operand(ctx.in(0)), operand(ctx.in(1)), operand(ctx.in(2)), ctx.saved(0), keep,
                    outputGradient(g, tq, h, dv),
                    gq == null ? null : headsInterleaved(gq, tq, h, d),
                    gk == null ? null : headsInterleaved(gk, tk, h, d),
                    gv == null ? null : headsInterleaved(gv, tk, h, dv));
            return new Tensor[]{asHeads(gq, b, tq, h, d), asHeads(gk, b, tk, h, d), asHeads(gv, b, tk, h, dv)};
        }

        public Tensor composite(Tensor... inputs) {
            return reference(shape, keep, weights, inputs[0], inputs[1], inputs[2]);
        }
    }

    /**
     * Self-attention over one packed projection qkv [B, T, 3·H·d] (q, k and v side by side, each [H, d]) → [B, H, T, d]:
     * one gradient for qkv, written in place, instead of three full-size gradients of its head views.
     */
    public record PackedAttention(AttentionKernel.Shape shape, float[] keep, float[] weights) implements Fused {
        public String name() { return "scaledDotProductAttention"; }

        public Tensor forward(Context ctx) {
            Tensor c = ctx.in(0).contiguous();
            int t = shape.tq(), hd = shape.heads() * shape.d(), ld = 3 * hd, d = shape.d();
            // q, k and v of each token sit side by side, hd columns each; heads d columns apart within them.
            var q = AttentionKernel.Operand.tokenMajor(c.data(), c.offset(), t, ld, d);
            var k = AttentionKernel.Operand.tokenMajor(c.data(), c.offset() + hd, t, ld, d);
            var v = AttentionKernel.Operand.tokenMajor(c.data(), c.offset() + 2 * hd, t, ld, d);
            return run(ctx, shape, keep, weights, q, k, v, c);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor c = ctx.saved(1);
            int t = shape.tq(), hd = shape.heads() * shape.d(), ld = 3 * hd, d = shape.d();
            var q = AttentionKernel.Operand.tokenMajor(c.data(), c.offset(), t, ld, d);
            var k = AttentionKernel.Operand.tokenMajor(c.data(), c.offset() + hd, t, ld, d);
            var v = AttentionKernel.Operand.tokenMajor(c.data(), c.offset() + 2 * hd, t, ld, d);
            float[] gqkv = new float[c.numel()]; // every column is written: q, k and v blocks cover it
            AttentionKernel.backward(shape, q, k, v, ctx.saved(0), keep, outputGradient(g, t, shape.heads(), d),
                    AttentionKernel.Operand.tokenMajor(gqkv, 0, t, ld, d), AttentionKernel.Operand.tokenMajor(gqkv, hd, t, ld, d),
                    AttentionKernel.Operand.tokenMajor(gqkv, 2 * hd, t, ld, d));
            return new Tensor[]{Tensor.of(gqkv, c.shape())};
        }

        public Tensor composite(Tensor... inputs) {
            Tensor qkv = inputs[0];
            int b = shape.batch(), t = shape.tq(), h = shape.heads(), d = shape.d(), hd = h * d;
            Tensor q = qkv.narrow(2, 0, hd).reshape(b, t, h, d).transpose(1, 2);
            Tensor k = qkv.narrow(2, hd, hd).reshape(b, t, h, d).transpose(1, 2);
            Tensor v = qkv.narrow(2, 2 * hd, hd).reshape(b, t, h, d).transpose(1, 2);
            return reference(shape, keep, weights, q, k, v);
        }
    }

    /**
     * Runs the forward kernel into [B, Tq, H, dv] and returns it as [B, H, Tq, dv]; saves the softmax rows that
     * backward needs (none when nothing is recorded) and {@code input}.
     */
    private static Tensor run(Context ctx, AttentionKernel.Shape s, float[] keep, float[] weights,
                              AttentionKernel.Operand q, AttentionKernel.Operand k, AttentionKernel.Operand v, Tensor input) {
        float[] probs = ctx.recording() || weights != null ? new float[Math.toIntExact(s.savedSize())] : null;
        float[] out = new float[s.batch() * s.tq() * s.heads() * s.dv()];
        AttentionKernel.forward(s, q, k, v, probs, keep, headsInterleaved(out, s.tq(), s.heads(), s.dv()));
        if (weights != null) System.arraycopy(s.dense(probs), 0, weights, 0, weights.length);
        ctx.save(probs, input);
        return Tensor.of(out, s.batch(), s.tq(), s.heads(), s.dv()).transpose(1, 2);
    }

    /** The composite: scores, mask (causal, padding, window), softmax, dropout and the product, from primitive ops. */
    private static Tensor reference(AttentionKernel.Shape s, float[] keep, float[] weights, Tensor q, Tensor k, Tensor v) {
        int b = s.batch(), h = s.heads(), tq = s.tq(), tk = s.tk();
        Tensor scores = q.matmul(k.transpose(-1, -2)).mul(s.scale());
        float[] mask = new float[b * tq * tk];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    mask[(bi * tq + i) * tk + j] = s.sees(bi, i, j) ? 0f : 1f;
                }
            }
        }
        Tensor p = scores.maskedFill(Tensor.of(mask, b, 1, tq, tk), Float.NEGATIVE_INFINITY).softmax(-1);
        if (weights != null) {
            float[] w = p.detach().to(DType.FLOAT32).toArray();
            System.arraycopy(w, 0, weights, 0, w.length);
        }
        if (keep != null) p = p.mul(Tensor.of(s.dense(keep), b, h, tq, tk));
        return p.matmul(v);
    }

    /** The output gradient [B, H, Tq, dv] (a view of [B, Tq, H, dv]) seen per (batch, head). */
    private static AttentionKernel.Operand outputGradient(Tensor g, int tq, int h, int dv) {
        Tensor gc = g.transpose(1, 2).contiguous();
        return AttentionKernel.Operand.tokenMajor(gc.data(), gc.offset(), tq, h * dv, dv);
    }

    static AttentionKernel.Operand operand(Tensor t) {
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

    /**
     * Rotary position embedding of x [B, H, T, d] for positions offset..offset+T-1: each pair (x_i, x_{i+d/2}) turns
     * by angle θ_pos,i, with cos and sin tables [positions, d/2] covering them. The inverse rotation is the gradient.
     */
    public record Rotary(float[] cos, float[] sin, int offset) implements Fused {
        public String name() { return "rotary"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0);
            int b = x.size(0), h = x.size(1), t = x.size(2), d = x.size(3);
            float[] out = new float[x.numel()];
            rotate(x, out, 1f);
            return Tensor.of(out, b, t, h, d).transpose(1, 2);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            int b = g.size(0), h = g.size(1), t = g.size(2), d = g.size(3);
            float[] gx = new float[g.numel()];
            rotate(g.contiguous(), gx, -1f);
            return new Tensor[]{Tensor.of(gx, b, t, h, d).transpose(1, 2)};
        }

        /** out (laid out [B, T, H, d]) = x rotated by sign·angle; x is [B, H, T, d] with any strides. */
        private void rotate(Tensor x, float[] out, float sign) {
            int b = x.size(0), h = x.size(1), t = x.size(2), dim = x.size(3), half = dim / 2;
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
                            float cs = cos[row + i], sn = sign * sin[row + i];
                            out[dst + i] = x1 * cs - x2 * sn;
                            out[dst + i + half] = x2 * cs + x1 * sn;
                        }
                    }
                }
            });
        }

        /** [x1·cos − x2·sin, x2·cos + x1·sin] over the two halves of the last dimension. */
        public Tensor composite(Tensor... inputs) {
            Tensor x = inputs[0];
            int t = x.size(2), half = x.size(3) / 2;
            Tensor c = Tensor.of(java.util.Arrays.copyOfRange(cos, offset * half, (offset + t) * half), t, half).to(x.dtype());
            Tensor sn = Tensor.of(java.util.Arrays.copyOfRange(sin, offset * half, (offset + t) * half), t, half).to(x.dtype());
            Tensor x1 = x.narrow(3, 0, half), x2 = x.narrow(3, half, half);
            return Tensor.concat(java.util.List.of(x1.mul(c).sub(x2.mul(sn)), x2.mul(c).add(x1.mul(sn))), 3);
        }
    }
}
