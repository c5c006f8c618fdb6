package gradus.models;

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
        if (ids.dim() != 2) throw new IllegalArgumentException("Bert expects token ids [batch, time], got shape " + Shape.str(ids.shape()));
        int t = ids.size(1);
        if (t == 0 || t > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("Bert takes 1 to " + config.maxPositionEmbeddings() + " tokens per row, got shape "
                    + Shape.str(ids.shape()) + " (truncate the batch)");
        }
        if (typeIds != null && !java.util.Arrays.equals(typeIds.shape(), ids.shape())) {
            throw new IllegalArgumentException("token type ids " + Shape.str(typeIds.shape()) + " must have the shape of the ids " + Shape.str(ids.shape()));
        }
        Tensor x = word.forward(ids);
        x = x.add(typeIds == null ? tokenType.weight().narrow(0, 0, 1) : tokenType.forward(typeIds));
        x = x.add(position.weight().narrow(0, 0, t));
        return F.dropout(norm.forward(x), config.hiddenDropoutProb(), isTraining(), Rng.global());
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
