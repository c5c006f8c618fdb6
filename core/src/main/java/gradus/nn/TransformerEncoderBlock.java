package gradus.nn;

import gradus.autograd.LinalgOps;
import gradus.config.ConfigRecords;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Transformer encoder layer on [B, T, width]: self-attention and a GELU MLP, each with dropout and a
 * residual connection. Pre-LN (normFirst, the default): x + f(norm(x)); post-LN (BERT, the original
 * Transformer): norm(x + f(x)). Children, named as in PyTorch's TransformerEncoderLayer:
 * {@code self_attn}, {@code norm1} (attention), {@code linear1} (width→hidden), {@code linear2}
 * (hidden→width), {@code norm2} (MLP).
 */
public final class TransformerEncoderBlock extends Module {
    private final int width, heads, hidden;
    private final float dropout, eps;
    private final boolean normFirst;
    private final MultiHeadAttention selfAttn;
    private final LayerNorm norm1, norm2;
    private final Linear linear1, linear2;

    /** Pre-LN, MLP hidden size 4·width, no dropout, eps 1e-5. */
    public TransformerEncoderBlock(int width, int heads) {
        this(width, heads, 4 * width, 0f, true, 1e-5f, false);
    }

    public TransformerEncoderBlock(int width, int heads, int hidden, float dropout, boolean normFirst, float eps, boolean rotary) {
        this(width, heads, hidden, dropout, normFirst, eps, rotary, null);
    }

    /** @param window sliding-window self-attention, or null for full attention */
    public TransformerEncoderBlock(int width, int heads, int hidden, float dropout, boolean normFirst, float eps, boolean rotary,
                                   AttentionWindow window) {
        if (hidden <= 0) throw new IllegalArgumentException("MLP hidden size must be positive, got " + hidden);
        this.width = width;
        this.heads = heads;
        this.hidden = hidden;
        this.dropout = dropout;
        this.eps = eps;
        this.normFirst = normFirst;
        this.selfAttn = registerModule("self_attn", new MultiHeadAttention(width, heads, dropout, true, rotary, window));
        this.norm1 = registerModule("norm1", new LayerNorm(new int[]{width}, eps));
        this.linear1 = registerModule("linear1", new Linear(width, hidden));
        this.linear2 = registerModule("linear2", new Linear(hidden, width));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[]{width}, eps));
    }

    public MultiHeadAttention selfAttn() { return selfAttn; }
    public LayerNorm norm1() { return norm1; }
    public LayerNorm norm2() { return norm2; }
    public Linear linear1() { return linear1; }
    public Linear linear2() { return linear2; }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** x [B, T, width] with padded positions (may be null) hidden from attention. */
    public Tensor forward(Tensor x, KeyPadding padding) {
        if (normFirst) {
            Tensor h = norm1.forward(x);
            x = x.add(drop(selfAttn.attend(h, h, h, false, padding, null, false).output()));
            return x.add(drop(mlp(linear1, linear2, norm2.forward(x), dropout, isTraining())));
        }
        x = norm1.forward(x.add(drop(selfAttn.attend(x, x, x, false, padding, null, false).output())));
        return norm2.forward(x.add(drop(mlp(linear1, linear2, x, dropout, isTraining()))));
    }

    private Tensor drop(Tensor x) {
        return F.dropout(x, dropout, isTraining(), Rng.global());
    }

    /** linear2(dropout(gelu(linear1(x)))). */
    static Tensor mlp(Linear linear1, Linear linear2, Tensor x, float dropout, boolean training) {
        Tensor h = F.linear(x, linear1.weight(), linear1.bias(), LinalgOps.Activation.GELU);
        return FusedLinear.apply(F.dropout(h, dropout, training, Rng.global()), linear2.weight(), linear2.bias());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "TransformerEncoderBlock");
        c.put("width", width);
        c.put("heads", heads);
        c.put("hidden", hidden);
        c.put("dropout", dropout);
        c.put("norm_first", normFirst);
        c.put("eps", eps);
        c.put("rotary", selfAttn.config().get("rotary"));
        if (selfAttn.window() != null) c.put("attention", ConfigRecords.write(selfAttn.window()));
        return c;
    }
}
