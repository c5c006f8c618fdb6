package gradus.nn;

import gradus.nn.init.Init;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adds a trained vector per position to x [B, T, dim] or [T, dim] (GPT-2's {@code wpe}, BERT's
 * {@code position_embeddings}): parameter {@code weight} [maxLen, dim], initialized N(0, 0.02²).
 */
public final class LearnedPositionalEmbedding extends Module {
    private final int maxLen, dim;
    private final Tensor weight;

    public LearnedPositionalEmbedding(int maxLen, int dim) {
        if (maxLen <= 0 || dim <= 0) throw new IllegalArgumentException("LearnedPositionalEmbedding needs positive sizes, got maxLen=" + maxLen + ", dim=" + dim);
        ParameterBudget.reserve("LearnedPositionalEmbedding weight", maxLen, dim);
        this.maxLen = maxLen;
        this.dim = dim;
        this.weight = registerParameter("weight", Init.normal(0.02f, maxLen, dim));
    }

    public Tensor weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** x plus the vectors of positions offset..offset+T-1. */
    public Tensor forward(Tensor x, int offset) {
        return x.add(PositionRange.rows(weight, x, offset, dim, maxLen, "LearnedPositionalEmbedding"));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "LearnedPositionalEmbedding");
        c.put("max_len", maxLen);
        c.put("dim", dim);
        return c;
    }
}
