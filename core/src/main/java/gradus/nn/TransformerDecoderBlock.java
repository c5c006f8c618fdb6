package gradus.nn;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Transformer decoder layer on [B, T, width]: causal self-attention, optional cross-attention over an
 * encoder's output, and a GELU MLP, each with dropout and a residual; pre-LN by default, post-LN on
 * request. Children, named as in PyTorch's TransformerDecoderLayer (cross_attn is its multihead_attn):
 * {@code self_attn}, {@code cross_attn} (if any), {@code norm1} (self-attention), {@code norm2}
 * (cross-attention, or the MLP without it), {@code norm3} (MLP, with cross-attention), {@code linear1},
 * {@code linear2}. A GPT-2 block maps as ln_1→norm1, attn→self_attn, ln_2→norm2, mlp.c_fc→linear1,
 * mlp.c_proj→linear2 (Conv1D weights transposed).
 */
public final class TransformerDecoderBlock extends Module {
    private final int width, heads, hidden;
    private final float dropout, eps;
    private final boolean normFirst;
    private final MultiHeadAttention selfAttn, crossAttn;
    private final LayerNorm norm1, norm2, norm3;
    private final Linear linear1, linear2;

    /** Pre-LN, no cross-attention, MLP hidden size 4·width, no dropout, eps 1e-5. */
    public TransformerDecoderBlock(int width, int heads) {
        this(width, heads, 4 * width, 0f, true, 1e-5f, false, false);
    }

    public TransformerDecoderBlock(int width, int heads, int hidden, float dropout, boolean normFirst, float eps,
                                   boolean crossAttention, boolean rotary) {
        if (hidden <= 0) throw new IllegalArgumentException("MLP hidden size must be positive, got " + hidden);
        this.width = width;
        this.heads = heads;
        this.hidden = hidden;
        this.dropout = dropout;
        this.eps = eps;
        this.normFirst = normFirst;
        this.selfAttn = registerModule("self_attn", new MultiHeadAttention(width, heads, dropout, true, rotary));
        this.crossAttn = crossAttention ? registerModule("cross_attn", new MultiHeadAttention(width, heads, dropout, true, false)) : null;
        this.norm1 = registerModule("norm1", new LayerNorm(new int[]{width}, eps));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[]{width}, eps));
        this.norm3 = crossAttention ? registerModule("norm3", new LayerNorm(new int[]{width}, eps)) : null;
        this.linear1 = registerModule("linear1", new Linear(width, hidden));
        this.linear2 = registerModule("linear2", new Linear(hidden, width));
    }

    public MultiHeadAttention selfAttn() { return selfAttn; }
    /** The cross-attention, or null when the block has none. */
    public MultiHeadAttention crossAttn() { return crossAttn; }
    public LayerNorm norm1() { return norm1; }
    public LayerNorm norm2() { return norm2; }
    public LayerNorm norm3() { return norm3; }
    public Linear linear1() { return linear1; }
    public Linear linear2() { return linear2; }

    /** Causal self-attention and MLP over x [B, T, width] (a block without cross-attention). */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null, null);
    }

    /**
     * @param memory        the encoder output [B, S, width] (required with cross-attention, else null)
     * @param memoryPadding padded memory positions, or null
     * @param cache         this block's self-attention cache for incremental decoding, or null
     */
    public Tensor forward(Tensor x, Tensor memory, KeyPadding memoryPadding, KVCache.Layer cache) {
        if ((memory == null) != (crossAttn == null)) {
            throw new IllegalArgumentException(crossAttn == null ? "this decoder block has no cross-attention, but memory was given"
                    : "this decoder block has cross-attention and needs the encoder output (memory)");
        }
        LayerNorm mlpNorm = crossAttn == null ? norm2 : norm3;
        if (normFirst) {
            Tensor h = norm1.forward(x);
            x = x.add(drop(selfAttn.attend(h, h, h, true, null, cache, false).output()));
            if (crossAttn != null) x = x.add(drop(crossAttn.attend(norm2.forward(x), memory, memory, false, memoryPadding, null, false).output()));
            return x.add(drop(TransformerEncoderBlock.mlp(linear1, linear2, mlpNorm.forward(x), dropout, isTraining())));
        }
        x = norm1.forward(x.add(drop(selfAttn.attend(x, x, x, true, null, cache, false).output())));
        if (crossAttn != null) x = norm2.forward(x.add(drop(crossAttn.attend(x, memory, memory, false, memoryPadding, null, false).output())));
        return mlpNorm.forward(x.add(drop(TransformerEncoderBlock.mlp(linear1, linear2, x, dropout, isTraining()))));
    }

    private Tensor drop(Tensor x) {
        return F.dropout(x, dropout, isTraining(), Rng.global());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "TransformerDecoderBlock");
        c.put("width", width);
        c.put("heads", heads);
        c.put("hidden", hidden);
        c.put("dropout", dropout);
        c.put("norm_first", normFirst);
        c.put("eps", eps);
        c.put("cross_attention", crossAttn != null);
        c.put("rotary", selfAttn.config().get("rotary"));
        return c;
    }
}
