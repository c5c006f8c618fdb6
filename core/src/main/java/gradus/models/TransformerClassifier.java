package gradus.models;

import gradus.config.ConfigRecords;
import gradus.nn.AttentionWindow;
import gradus.nn.Dropout;
import gradus.nn.Embedding;
import gradus.nn.KeyPadding;
import gradus.nn.LayerNorm;
import gradus.nn.LearnedPositionalEmbedding;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text classifier with a small Transformer encoder: token embedding + learned positions →
 * pre-LN encoder blocks (padding masked out of attention) → final LayerNorm → mean over the real
 * tokens → Linear. Input rows are token ids right-padded with id 0, as for {@link LstmClassifier}.
 */
public final class TransformerClassifier extends Module {
    private final int vocabSize, maxLength, width, heads, layers, classes;
    private final float dropout;
    private final AttentionWindow window;
    private final Embedding embedding;
    private final LearnedPositionalEmbedding positions;
    private final Dropout drop;
    private final List<TransformerEncoderBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear head;

    public TransformerClassifier(int vocabSize, int maxLength, int width, int heads, int layers, float dropout, int classes) {
        this(vocabSize, maxLength, width, heads, layers, dropout, classes, null);
    }

    /** @param window sliding-window attention in every block (long inputs), or null for full attention */
    public TransformerClassifier(int vocabSize, int maxLength, int width, int heads, int layers, float dropout, int classes,
                                 AttentionWindow window) {
        this.vocabSize = vocabSize;
        this.maxLength = maxLength;
        this.width = width;
        this.heads = heads;
        this.layers = layers;
        this.dropout = dropout;
        this.classes = classes;
        this.window = window;
        this.embedding = registerModule("embedding", new Embedding(vocabSize, width, 0));
        this.positions = registerModule("positions", new LearnedPositionalEmbedding(maxLength, width));
        this.drop = registerModule("dropout", new Dropout(dropout));
        for (int i = 0; i < layers; i++) {
            blocks.add(registerModule("block" + i, new TransformerEncoderBlock(width, heads, 4 * width, dropout, true, 1e-5f, false, window)));
        }
        this.norm = registerModule("norm", new LayerNorm(width));
        this.head = registerModule("head", new Linear(width, classes));
    }

    /** Class logits [B, classes] for token ids [B, T] (0 = padding), T ≤ max_length. */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dim() != 2) throw new IllegalArgumentException("TransformerClassifier expects token ids [B, T], got shape " + Shape.str(ids.shape()));
        int[] lengths = LstmClassifier.lengths(ids);
        // Columns past the longest row are padding in every row: masked from attention and out of the mean, so
        // dropping them leaves the logits as they are and spares a long-context batch of short texts most of its work.
        int longest = Math.max(1, java.util.Arrays.stream(lengths).max().orElse(1));
        if (longest < ids.size(1)) ids = ids.narrow(1, 0, longest);
        KeyPadding padding = KeyPadding.lengths(lengths);
        Tensor h = drop.forward(positions.forward(embedding.forward(ids)));
        for (TransformerEncoderBlock block : blocks) h = block.forward(h, padding);
        h = norm.forward(h);
        // mean over each row's real tokens
        int b = ids.size(0), t = ids.size(1);
        float[] w = new float[b * t];
        for (int r = 0; r < b; r++) java.util.Arrays.fill(w, r * t, r * t + lengths[r], 1f / lengths[r]);
        Tensor pooled = h.mul(Tensor.of(w, b, t, 1)).sum(1);
        return head.forward(drop.forward(pooled));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "TransformerClassifier");
        c.put("vocab_size", vocabSize);
        c.put("max_length", maxLength);
        c.put("width", width);
        c.put("heads", heads);
        c.put("layers", layers);
        c.put("dropout", dropout);
        c.put("classes", classes);
        if (window != null) c.put("attention", ConfigRecords.write(window));
        return c;
    }
}
