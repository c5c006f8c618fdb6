package gradus.nn;

import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lookup table [numEmbeddings, dim] from token ids to vectors, initialized N(0, 1). The row
 * {@code paddingIdx} (if given) starts at zero and receives no gradient.
 */
public final class Embedding extends Module {
    private final int numEmbeddings, dim, paddingIdx;
    private final Tensor weight;

    public Embedding(int numEmbeddings, int dim) {
        this(numEmbeddings, dim, null);
    }

    /** {@code paddingIdx} may be negative (counted from the end, as in PyTorch) or null for none. */
    public Embedding(int numEmbeddings, int dim, Integer paddingIdx) {
        if (numEmbeddings <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding needs positive sizes, got numEmbeddings=" + numEmbeddings + ", dim=" + dim);
        }
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
            throw new IllegalArgumentException("paddingIdx " + paddingIdx + " out of range for " + numEmbeddings + " embeddings");
        }
        ParameterBudget.reserve("Embedding weight", numEmbeddings, dim);
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        Tensor w = Init.normal(1f, numEmbeddings, dim);
        if (this.paddingIdx >= 0) w.narrow(0, this.paddingIdx, 1).fill(0f);
        this.weight = registerParameter("weight", w);
    }

    public Tensor weight() {
        return weight;
    }

    /** Vectors for {@code ids}: shape ids.shape + [dim]. */
    public Tensor forward(IntTensor ids) {
        return F.embedding(ids, weight, paddingIdx);
    }

    /** Vectors for a float tensor holding whole-number token ids. */
    @Override
    public Tensor forward(Tensor ids) {
        float[] v = ids.toArray();
        int[] ix = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) {
                throw new IllegalArgumentException("Embedding expects whole-number token ids, got " + v[i] + " in input of shape " + Shape.str(ids.shape()));
            }
            ix[i] = (int) v[i];
        }
        return forward(IntTensor.of(ix, ids.shape()));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Embedding");
        c.put("num_embeddings", numEmbeddings);
        c.put("dim", dim);
        if (paddingIdx >= 0) c.put("padding_idx", paddingIdx);
        return c;
    }
}
