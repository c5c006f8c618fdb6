package gradus.models;

import gradus.config.Config;
import gradus.nn.Embedding;
import gradus.nn.F;
import gradus.nn.FusedLinear;
import gradus.nn.KVCache;
import gradus.nn.LayerNorm;
import gradus.nn.LearnedPositionalEmbedding;
import gradus.nn.Linear;
import gradus.nn.Losses;
import gradus.nn.Module;
import gradus.nn.Sequential;
import gradus.nn.SinusoidalPositionalEncoding;
import gradus.nn.TransformerDecoderBlock;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only Transformer language model (GPT): token embedding {@code tok_emb}, positions
 * ({@code pos_emb} when learned or sinusoidal; rotary lives in each attention), pre-LN decoder blocks
 * {@code blocks.0..N-1}, final LayerNorm {@code ln_f} and the LM head {@code lm_head} (absent when tied to
 * tok_emb). GPT-2 names map as wte→tok_emb, wpe→pos_emb, h→blocks, ln_f→ln_f. Initialized as GPT-2:
 * N(0, 0.02) weights, zero biases, residual projections scaled by 1/√(2·layers).
 */
public final class Gpt extends Module {
    private final GptConfig config;
    private final Embedding tokEmb;
    private final Module posEmb;
    private final List<TransformerDecoderBlock> blocks = new ArrayList<>();
    private final LayerNorm lnF;
    private final Linear lmHead;

    public Gpt(GptConfig config) {
        this.config = config;
        int w = config.width();
        this.tokEmb = registerModule("tok_emb", new Embedding(config.vocabSize(), w));
        Init.normal(tokEmb.weight(), 0f, 0.02f);
        this.posEmb = switch (config.positional()) {
            case LEARNED -> registerModule("pos_emb", new LearnedPositionalEmbedding(config.contextLength(), w));
            case SINUSOIDAL -> registerModule("pos_emb", new SinusoidalPositionalEncoding(config.contextLength(), w));
            case ROTARY -> null;
        };
        boolean rotary = config.positional() == GptConfig.Positional.ROTARY;
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(new TransformerDecoderBlock(w, config.heads(), 4 * w, config.dropout(), true, 1e-5f, false, rotary));
        }
        registerModule("blocks", new Sequential(blocks));
        this.lnF = registerModule("ln_f", new LayerNorm(w));
        this.lmHead = config.tieWeights() ? null : registerModule("lm_head", new Linear(w, config.vocabSize(), false));
        float residualStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        for (TransformerDecoderBlock b : blocks) {
            for (Linear l : List.of(b.selfAttn().qProj(), b.selfAttn().kProj(), b.selfAttn().vProj(), b.linear1())) gpt2Init(l, 0.02f);
            gpt2Init(b.selfAttn().outProj(), residualStd);
            gpt2Init(b.linear2(), residualStd);
        }
        if (lmHead != null) gpt2Init(lmHead, 0.02f);
    }

    private static void gpt2Init(Linear l, float std) {
        Init.normal(l.weight(), 0f, std);
        if (l.bias() != null) Init.zeros(l.bias());
    }

    /** Rebuilds a model from the keys of {@link GptConfig#toMap()} (the "Gpt" type of {@link ModelLayers}). */
    public static Gpt fromConfig(Config c) {
        return new Gpt(GptConfig.from(c));
    }

    public GptConfig gptConfig() {
        return config;
    }

    public List<TransformerDecoderBlock> blocks() {
        return List.copyOf(blocks);
    }

    /** A cache for incremental decoding of up to contextLength tokens. */
    public KVCache newCache() {
        return new KVCache(config.layers(), config.contextLength());
    }

    /** Logits [B, T, vocab] for token ids [B, T] (T ≤ contextLength). */
    public Tensor forward(IntTensor ids) {
        return forward(ids, null);
    }

    /**
     * Logits [B, T, vocab] for ids [B, T] that follow the tokens already in {@code cache} (null: none).
     * With a cache, only the new tokens run; their keys and values are added to it.
     */
    public Tensor forward(IntTensor ids, KVCache cache) {
        if (ids.dim() != 2) throw new IllegalArgumentException("Gpt expects token ids [batch, time], got shape " + Shape.str(ids.shape()));
        int offset = cache == null ? 0 : cache.length(), t = ids.size(1);
        if (t == 0) throw new IllegalArgumentException("Gpt needs at least one token, got shape " + Shape.str(ids.shape()));
        if (offset + t > config.contextLength()) {
            throw new IllegalArgumentException("Gpt context is " + config.contextLength() + " tokens; got " + t + " tokens"
                    + (offset > 0 ? " after " + offset + " cached" : "") + " (keep the last " + config.contextLength() + ")");
        }
        if (cache != null && cache.layers() != blocks.size()) {
            throw new IllegalArgumentException("KV cache has " + cache.layers() + " layers, model has " + blocks.size());
        }
        Tensor x = tokEmb.forward(ids);
        if (posEmb instanceof LearnedPositionalEmbedding p) x = p.forward(x, offset);
        else if (posEmb instanceof SinusoidalPositionalEncoding p) x = p.forward(x, offset);
        x = F.dropout(x, config.dropout(), isTraining(), Rng.global());
        for (int i = 0; i < blocks.size(); i++) x = blocks.get(i).forward(x, null, null, cache == null ? null : cache.layer(i));
        x = lnF.forward(x);
        return FusedLinear.apply(x, lmHead == null ? tokEmb.weight() : lmHead.weight(), null);
    }

    /** Logits for a float tensor holding whole-number token ids [B, T]. */
    @Override
    public Tensor forward(Tensor ids) {
        float[] v = ids.toArray();
        int[] ix = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw new IllegalArgumentException("Gpt expects whole-number token ids, got " + v[i]);
            ix[i] = (int) v[i];
        }
        return forward(IntTensor.of(ix, ids.shape()));
    }

    /** Mean cross-entropy per token of the next-token predictions for ids [B, T] against targets [B, T]. */
    public Tensor loss(IntTensor ids, IntTensor targets) {
        return loss(forward(ids), targets);
    }

    /** Mean cross-entropy per token of logits [B, T, V] against targets [B, T]. */
    public static Tensor loss(Tensor logits, IntTensor targets) {
        if (logits.dim() != 3 || targets.dim() != 2 || logits.size(0) != targets.size(0) || logits.size(1) != targets.size(1)) {
            throw new IllegalArgumentException("loss expects logits [B, T, V] and targets [B, T], got " + Shape.str(logits.shape())
                    + " and " + Shape.str(targets.shape()));
        }
        int n = targets.numel();
        return Losses.crossEntropy(logits.reshape(n, logits.size(2)), targets.reshape(n));
    }

    @Override
    public Map<String, Object> config() {
        return config.toMap();
    }
}
