package gradus.nn;

import gradus.config.ConfigRecords;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-head attention over [B, T, embedDim] inputs, for self- and cross-attention. Children
 * {@code q_proj}, {@code k_proj}, {@code v_proj} and {@code out_proj} are Linear [embedDim, embedDim]:
 * PyTorch's {@code in_proj_weight} splits into the first three in that order, BERT's
 * {@code query/key/value} and {@code output.dense} map one to one, GPT-2's {@code c_attn} (transposed)
 * splits into the first three and {@code c_proj} (transposed) is {@code out_proj}. With rotary
 * embeddings, queries and keys are rotated per head before the product.
 */
public final class MultiHeadAttention extends Module {
    private final int embedDim, numHeads, headDim;
    private final float dropout;
    private final boolean bias;
    private final Linear qProj, kProj, vProj, outProj;
    private final RotaryEmbedding rotary;
    private final AttentionWindow window;

    public MultiHeadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0f, true, false);
    }

    /**
     * @param dropout probability of dropping an attention weight in training
     * @param bias    whether the four projections have biases
     * @param rotary  rotate queries and keys with {@link RotaryEmbedding} (base 10000)
     */
    public MultiHeadAttention(int embedDim, int numHeads, float dropout, boolean bias, boolean rotary) {
        this(embedDim, numHeads, dropout, bias, rotary, null);
    }

    /** @param window sliding-window attention (each query sees nearby keys and the global ones), or null for full attention */
    public MultiHeadAttention(int embedDim, int numHeads, float dropout, boolean bias, boolean rotary, AttentionWindow window) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention needs embedDim divisible by numHeads, got embedDim=" + embedDim + ", numHeads=" + numHeads);
        }
        if (dropout < 0f || dropout >= 1f) throw new IllegalArgumentException("attention dropout must be in [0, 1), got " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.dropout = dropout;
        this.bias = bias;
        this.qProj = registerModule("q_proj", new Linear(embedDim, embedDim, bias));
        this.kProj = registerModule("k_proj", new Linear(embedDim, embedDim, bias));
        this.vProj = registerModule("v_proj", new Linear(embedDim, embedDim, bias));
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias));
        this.rotary = rotary ? registerModule("rotary", new RotaryEmbedding(headDim)) : null;
        this.window = window;
    }

    public Linear qProj() { return qProj; }
    public Linear kProj() { return kProj; }
    public Linear vProj() { return vProj; }
    public Linear outProj() { return outProj; }
    public int numHeads() { return numHeads; }
    public int embedDim() { return embedDim; }
    /** The sliding window, or null for full attention. */
    public AttentionWindow window() { return window; }

    /** Self-attention of x [B, T, E], every position seeing every other. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, false);
    }

    /** Self-attention of x [B, T, E]; causal: each position sees itself and earlier ones only. */
    public Tensor forward(Tensor x, boolean causal) {
        return attend(x, x, x, causal, null, null, false).output();
    }

    /** Cross-attention of query [B, Tq, E] over memory [B, Tk, E], ignoring padded memory positions (padding may be null). */
    public Tensor forward(Tensor query, Tensor memory, KeyPadding memoryPadding) {
        return attend(query, memory, memory, false, memoryPadding, null, false).output();
    }

    /**
     * The general call. query [B, Tq, E], key and value [B, Tk, E] → output [B, Tq, E].
     *
     * @param causal      query i sees keys up to i + (Tk − Tq), counting cached keys
     * @param padding     keys to ignore per batch row (over all keys, cached ones included), or null
     * @param cache       when not null, key and value are the new tokens: they are appended to the cache
     *                    and the queries attend over all cached tokens (rotary positions continue after them)
     * @param needWeights also return the attention weights [B, H, Tq, Tk] (detached, before dropout)
     */
    public ScaledDotProductAttention.Result attend(Tensor query, Tensor key, Tensor value, boolean causal, KeyPadding padding,
                                                   KVCache.Layer cache, boolean needWeights) {
        check("query", query);
        check("key", key);
        check("value", value);
        if (key.size(0) != query.size(0) || value.size(0) != query.size(0) || key.size(1) != value.size(1)) {
            throw new IllegalArgumentException("attention batch and key lengths do not fit: query " + Shape.str(query.shape())
                    + ", key " + Shape.str(key.shape()) + ", value " + Shape.str(value.shape()));
        }
        int offset = cache == null ? 0 : cache.length();
        int b = query.size(0), t = query.size(1);
        List<Linear> projections = List.of(qProj, kProj, vProj);
        // Self-attention: the three projections as one product.
        Tensor all = query == key && key == value ? FusedLinear.stacked(query, projections.stream().map(Linear::weight).toList(),
                bias ? projections.stream().map(Linear::bias).toList() : null) : null;
        if (all != null && rotary == null && cache == null) { // attention reads it in place and returns one gradient for it
            return output(ScaledDotProductAttention.packed(all, numHeads, causal, padding, window, isTraining() ? dropout : 0f, Rng.global(), needWeights), b, t);
        }
        Tensor q, k, v;
        if (all != null) { // split into head views without copies
            Tensor split = all.view(b, t, 3, numHeads, headDim);
            q = split.select(2, 0).transpose(1, 2);
            k = split.select(2, 1).transpose(1, 2);
            v = split.select(2, 2).transpose(1, 2);
        } else {
            q = heads(FusedLinear.apply(query, qProj.weight(), qProj.bias()));
            k = heads(FusedLinear.apply(key, kProj.weight(), kProj.bias()));
            v = heads(FusedLinear.apply(value, vProj.weight(), vProj.bias()));
        }
        if (rotary != null) {
            q = rotary.forward(q, offset);
            k = rotary.forward(k, offset);
        }
        if (cache != null) {
            Tensor[] kv = cache.append(k, v);
            k = kv[0];
            v = kv[1];
        }
        return output(ScaledDotProductAttention.apply(q, k, v, causal, padding, window, isTraining() ? dropout : 0f, Rng.global(), needWeights), b, t);
    }

    /** The heads' outputs [B, H, T, d] merged to [B, T, H·d] and projected. */
    private ScaledDotProductAttention.Result output(ScaledDotProductAttention.Result r, int b, int t) {
        Tensor merged = r.output().transpose(1, 2).reshape(b, t, embedDim);
        return new ScaledDotProductAttention.Result(FusedLinear.apply(merged, outProj.weight(), outProj.bias()), r.weights());
    }

    private void check(String what, Tensor x) {
        if (x.dim() != 3 || x.size(2) != embedDim) {
            throw new IllegalArgumentException("MultiHeadAttention(" + embedDim + ", " + numHeads + " heads) expects " + what
                    + " [batch, time, " + embedDim + "], got " + Shape.str(x.shape()));
        }
    }

    /** [B, T, E] → [B, H, T, d] as a view. */
    private Tensor heads(Tensor x) {
        return x.view(x.size(0), x.size(1), numHeads, headDim).transpose(1, 2);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "MultiHeadAttention");
        c.put("embed_dim", embedDim);
        c.put("num_heads", numHeads);
        c.put("dropout", dropout);
        c.put("bias", bias);
        c.put("rotary", rotary != null);
        if (window != null) c.put("attention", ConfigRecords.write(window));
        return c;
    }
}
