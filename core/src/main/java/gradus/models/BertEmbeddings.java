package gradus.models;

import gradus.kernels.LayerNormKernel;
import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.nn.Embedding;
import gradus.nn.F;
import gradus.nn.LayerNorm;
import gradus.nn.Module;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Map;

/**
 * BERT's input layer: word + absolute position + token type embeddings, summed, then LayerNorm and
 * dropout. Children {@code word} [vocab, H], {@code position} [positions, H] and
 * {@code token_type} [types, H] (Embedding), and {@code norm} (LayerNorm over H).
 */
public final class BertEmbeddings extends Module {
    private final BertConfig config;
    private final Embedding word, position, tokenType;
    private final LayerNorm norm;

    public BertEmbeddings(BertConfig config) {
        this.config = config;
        int h = config.hiddenSize();
        this.word = registerModule("word", new Embedding(config.vocabSize(), h));
        this.position = registerModule("position", new Embedding(config.maxPositionEmbeddings(), h));
        this.tokenType = registerModule("token_type", new Embedding(config.typeVocabSize(), h));
        for (Embedding e : new Embedding[]{word, position, tokenType}) Init.normal(e.weight(), 0f, 0.02f);
        this.norm = registerModule("norm", new LayerNorm(new int[]{h}, config.layerNormEps()));
    }

    /** [B, T, H] for ids [B, T] and token types [B, T] (null: all type 0). */
    public Tensor forward(IntTensor ids, IntTensor typeIds) {
        check(ids, typeIds);
        Tensor x = word.forward(ids);
        x = x.add(typeIds == null ? tokenType.weight().narrow(0, 0, 1) : tokenType.forward(typeIds));
        x = x.add(position.weight().narrow(0, 0, ids.size(1)));
        return F.dropout(norm.forward(x), config.hiddenDropoutProb(), isTraining(), Rng.global());
    }

    /**
     * The values of {@link #forward} in eval mode, [B·T·H] row-major, computed row by row without building
     * tensors or a graph (for {@link BertInference}): the same sums in the same order, the same bits.
     */
    float[] inferenceForward(IntTensor ids, IntTensor typeIds) {
        check(ids, typeIds);
        int[] id = ids.data(), type = typeIds == null ? null : typeIds.data();
        F.checkTokenIds(id, word.weight().size(0));
        if (type != null) F.checkTokenIds(type, tokenType.weight().size(0));
        int t = ids.size(1), h = config.hiddenSize();
        float[] w = word.weight().contiguousData(), tw = tokenType.weight().contiguousData(), pw = position.weight().contiguousData();
        float[] gamma = norm.weight().contiguousData(), beta = norm.bias().contiguousData(), x = new float[id.length * h];
        Parallel.forRange(id.length, Math.max(1, 4096 / h), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * h;
                VectorMath.add(w, id[r] * h, tw, type == null ? 0 : type[r] * h, x, o, h);
                VectorMath.add(x, o, pw, r % t * h, x, o, h);
                LayerNormKernel.normalize(x, o, h, norm.eps(), gamma, beta, x, o, null, null, r);
            }
        });
        return x;
    }

    private void check(IntTensor ids, IntTensor typeIds) {
        if (ids.dim() != 2) throw new IllegalArgumentException("Bert expects token ids [batch, time], got shape " + Shape.str(ids.shape()));
        int t = ids.size(1);
        if (t == 0 || t > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("Bert takes 1 to " + config.maxPositionEmbeddings() + " tokens per row, got shape "
                    + Shape.str(ids.shape()) + " (truncate the batch)");
        }
        if (typeIds != null && !java.util.Arrays.equals(typeIds.shape(), ids.shape())) {
            throw new IllegalArgumentException("token type ids " + Shape.str(typeIds.shape()) + " must have the shape of the ids " + Shape.str(ids.shape()));
        }
    }

    @Override
    public Tensor forward(Tensor ids) {
        return forward(Bert.wholeIds(ids), null);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = config.toMap();
        c.put("type", "BertEmbeddings"); // a part of Bert, rebuilt by it, not on its own
        return c;
    }
}
