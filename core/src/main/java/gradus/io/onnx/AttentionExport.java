package gradus.io.onnx;

import gradus.autograd.GradMode;
import gradus.io.onnx.OnnxExporter.Flow;
import gradus.nn.LayerNorm;
import gradus.nn.Linear;
import gradus.nn.MultiHeadAttention;
import gradus.nn.RotaryEmbedding;
import gradus.nn.TransformerDecoderBlock;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.Tensor;

import java.util.List;

import static gradus.io.onnx.OnnxExporter.attr;

/**
 * Multi-head attention and Transformer blocks as plain opset-17 operators (MatMul, Reshape,
 * Transpose, Where, Softmax; opset 17 has no fused Attention), computing what Gradus computes in
 * eval mode: softmax(q·kᵀ/√d, masked keys at −∞)·v per head, GELU (erf) MLPs, pre- or post-LN.
 */
public final class AttentionExport {
    private AttentionExport() {}

    /**
     * What every block of one model shares, computed once: {@code causal} [T, T] true where key j
     * lies after query i; {@code padding} [B, 1, 1, T] true at padded keys; the rotary tables
     * {@code cos} and {@code sin} [T, d/2]. Any of them may be null.
     */
    public record Context(Flow causal, Flow padding, Flow cos, Flow sin) {
        static final Context NONE = new Context(null, null, null, null);
    }

    /** [T, T], true where key j lies after query i, for the sequence axis (1) of x. */
    public static Flow causalMask(OnnxExporter g, Flow x) {
        Flow t = g.positions(x);
        return g.node("Greater", 2, List.of(g.unsqueeze(t, 0).name(), g.unsqueeze(t, 1).name()));
    }

    public static Flow encoderBlock(OnnxExporter g, TransformerEncoderBlock b, String path, Flow x, Context ctx) {
        return block(g, path, x, ctx, normFirst(b.config().get("norm_first")), b.selfAttn(), b.norm1(), b.norm2(), b.linear1(), b.linear2());
    }

    /** A decoder block without cross-attention (causal self-attention, then the MLP). */
    public static Flow decoderBlock(OnnxExporter g, TransformerDecoderBlock b, String path, Flow x, Context ctx) {
        if (b.crossAttn() != null) throw new IllegalArgumentException("ONNX export of a decoder block with cross-attention ('" + path + "') is not supported");
        return block(g, path, x, ctx, normFirst(b.config().get("norm_first")), b.selfAttn(), b.norm1(), b.norm2(), b.linear1(), b.linear2());
    }

    private static boolean normFirst(Object v) {
        return Boolean.TRUE.equals(v);
    }

    /** Pre-LN: x + attn(norm1(x)), then + mlp(norm2(·)); post-LN: norm1(x + attn(x)), then norm2(· + mlp(·)). */
    private static Flow block(OnnxExporter g, String path, Flow x, Context ctx, boolean normFirst, MultiHeadAttention attn,
                              LayerNorm norm1, LayerNorm norm2, Linear linear1, Linear linear2) {
        if (x.rank() != 3) throw new IllegalArgumentException("ONNX export of Transformer block '" + path + "' needs a rank-3 input [batch, sequence, width], got rank " + x.rank());
        if (normFirst) {
            Flow h = g.layer(norm1, path + "norm1.", x);
            x = add(g, x, attention(g, attn, path + "self_attn.", h, ctx));
            return add(g, x, mlp(g, path, linear1, linear2, g.layer(norm2, path + "norm2.", x)));
        }
        x = g.layer(norm1, path + "norm1.", add(g, x, attention(g, attn, path + "self_attn.", x, ctx)));
        return g.layer(norm2, path + "norm2.", add(g, x, mlp(g, path, linear1, linear2, x)));
    }

    private static Flow mlp(OnnxExporter g, String path, Linear linear1, Linear linear2, Flow x) {
        return g.layer(linear2, path + "linear2.", g.gelu(g.layer(linear1, path + "linear1.", x)));
    }

    /** Self-attention of x [B, T, E]. */
    static Flow attention(OnnxExporter g, MultiHeadAttention a, String path, Flow x, Context ctx) {
        int heads = a.numHeads(), d = a.embedDim() / heads;
        boolean rotary = a.children().containsKey("rotary");
        if (a.window() != null) { // the band mask depends on the sequence length, which the exported graph leaves open
            throw new IllegalArgumentException("ONNX export of sliding-window attention '" + path + "' (window " + a.window().window()
                    + ", global_tokens " + a.window().globalTokens() + ") is not supported; export a model with full attention");
        }
        if (rotary && ctx.cos() == null) {
            // The rotation tables are sized by a model's context length; a lone block has none.
            throw new IllegalArgumentException("ONNX export of rotary attention '" + path + "' is supported inside Gpt only");
        }
        Flow q = heads(g, g.layer(a.qProj(), path + "q_proj.", x), heads, d);
        Flow k = heads(g, g.layer(a.kProj(), path + "k_proj.", x), heads, d);
        Flow v = heads(g, g.layer(a.vProj(), path + "v_proj.", x), heads, d);
        if (rotary) {
            q = rotate(g, q, ctx, d);
            k = rotate(g, k, ctx, d);
        }
        Flow kt = g.node("Transpose", 4, List.of(k.name()), attr("perm", new long[]{0, 1, 3, 2}));
        Flow s = g.node("MatMul", 4, List.of(q.name(), kt.name()));
        s = g.node("Mul", 4, List.of(s.name(), g.constant((float) (1.0 / Math.sqrt(d)))));
        String minusInf = ctx.causal() != null || ctx.padding() != null ? g.constant(Float.NEGATIVE_INFINITY) : null;
        if (ctx.causal() != null) s = g.node("Where", 4, List.of(ctx.causal().name(), minusInf, s.name()));
        if (ctx.padding() != null) s = g.node("Where", 4, List.of(ctx.padding().name(), minusInf, s.name()));
        Flow p = g.node("Softmax", 4, List.of(s.name()), attr("axis", -1L));
        Flow o = g.node("MatMul", 4, List.of(p.name(), v.name()));
        o = g.node("Transpose", 4, List.of(o.name()), attr("perm", new long[]{0, 2, 1, 3}));
        o = g.node("Reshape", 3, List.of(o.name(), g.longs(new long[]{0, 0, a.embedDim()})));
        return g.layer(a.outProj(), path + "out_proj.", o);
    }

    /** [B, T, H·d] → [B, H, T, d]. */
    private static Flow heads(OnnxExporter g, Flow x, int heads, int d) {
        Flow r = g.node("Reshape", 4, List.of(x.name(), g.longs(new long[]{0, 0, heads, d})));
        return g.node("Transpose", 4, List.of(r.name()), attr("perm", new long[]{0, 2, 1, 3}));
    }

    /** RoPE's "rotate half": (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin) on x [B, H, T, d]. */
    private static Flow rotate(OnnxExporter g, Flow x, Context ctx, int d) {
        int half = d / 2;
        String axis = g.longs(new long[]{3});
        Flow x1 = g.node("Slice", 4, List.of(x.name(), g.longs(new long[]{0}), g.longs(new long[]{half}), axis));
        Flow x2 = g.node("Slice", 4, List.of(x.name(), g.longs(new long[]{half}), g.longs(new long[]{d}), axis));
        String c = ctx.cos().name(), s = ctx.sin().name();
        Flow y1 = g.node("Sub", 4, List.of(g.node("Mul", 4, List.of(x1.name(), c)).name(), g.node("Mul", 4, List.of(x2.name(), s)).name()));
        Flow y2 = g.node("Add", 4, List.of(g.node("Mul", 4, List.of(x2.name(), c)).name(), g.node("Mul", 4, List.of(x1.name(), s)).name()));
        return g.node("Concat", 4, List.of(y1.name(), y2.name()), attr("axis", 3L));
    }

    /**
     * The rotary tables cos and sin [positions, d/2] of {@code r}, read from Gradus's own rotation
     * (rotating (1, …, 1, 0, …, 0) yields (cos, sin)) so the export uses exactly its angles.
     */
    public static Tensor[] rotaryTables(RotaryEmbedding r, int positions) {
        int d = r.dim(), half = d / 2;
        float[] unit = new float[positions * d];
        for (int p = 0; p < positions; p++) java.util.Arrays.fill(unit, p * d, p * d + half, 1f);
        try (var ignored = GradMode.noGrad()) {
            Tensor t = r.forward(Tensor.of(unit, 1, 1, positions, d)).reshape(positions, d);
            return new Tensor[]{t.narrow(1, 0, half).contiguous(), t.narrow(1, half, half).contiguous()};
        }
    }

    private static Flow add(OnnxExporter g, Flow a, Flow b) {
        return g.node("Add", a.rank(), List.of(a.name(), b.name()));
    }
}
