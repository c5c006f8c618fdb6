package gradus.models;

import gradus.config.Config;
import gradus.nn.KeyPadding;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.Sequential;
import gradus.nn.TransformerEncoderBlock;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A BERT-family encoder built from Gradus modules, so it trains: {@link BertEmbeddings}
 * ({@code embeddings}) and post-LN {@link TransformerEncoderBlock}s with exact GELU
 * ({@code layers.0..N-1}); the output is the last hidden state [B, T, H]. Pretrained weights come
 * from {@link BertWeights} (ONNX files, Hugging Face folders); {@link BertInference} runs it faster when
 * no gradients are needed. Fresh weights follow BERT: N(0, 0.02), zero biases.
 */
public final class Bert extends Module {
    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final List<TransformerEncoderBlock> layers = new ArrayList<>();

    public Bert(BertConfig config) {
        this.config = config;
        this.embeddings = registerModule("embeddings", new BertEmbeddings(config));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            TransformerEncoderBlock b = new TransformerEncoderBlock(config.hiddenSize(), config.numAttentionHeads(),
                    config.intermediateSize(), config.hiddenDropoutProb(), false, config.layerNormEps(), false);
            for (Linear l : List.of(b.selfAttn().qProj(), b.selfAttn().kProj(), b.selfAttn().vProj(), b.selfAttn().outProj(),
                    b.linear1(), b.linear2())) {
                Init.normal(l.weight(), 0f, 0.02f);
                Init.zeros(l.bias());
            }
            layers.add(b);
        }
        registerModule("layers", new Sequential(layers));
    }

    /** Rebuilds a model from the keys of {@link BertConfig#toMap()} (the "Bert" type of {@link ModelLayers}). */
    public static Bert fromConfig(Config c) {
        return new Bert(BertConfig.from(c));
    }

    public BertConfig bertConfig() {
        return config;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    public List<TransformerEncoderBlock> layers() {
        return List.copyOf(layers);
    }

    /**
     * The last hidden state [B, T, H] for ids [B, T]. {@code typeIds} (null: all 0) and
     * {@code attentionMask} (1 = real token, 0 = padding; null: no padding) have the ids' shape.
     */
    public Tensor forward(IntTensor ids, IntTensor typeIds, IntTensor attentionMask) {
        Tensor x = embeddings.forward(ids, typeIds);
        KeyPadding padding = padding(ids, attentionMask);
        for (TransformerEncoderBlock layer : layers) x = layer.forward(x, padding);
        return x;
    }

    /** The last hidden state for a tokenizer's padded batch (ids, type ids and attention mask). */
    public Tensor forward(BatchEncoding batch) {
        return forward(batch.idsTensor(), batch.typeIdsTensor(), batch.attentionMaskTensor());
    }

    /** The last hidden state for a float tensor of whole-number ids [B, T], without padding. */
    @Override
    public Tensor forward(Tensor ids) {
        return forward(wholeIds(ids), null, null);
    }

    /** Null when every token is real: attention then skips the mask. */
    private static KeyPadding padding(IntTensor ids, IntTensor mask) {
        if (mask == null) return null;
        if (!Arrays.equals(mask.shape(), ids.shape())) {
            throw new IllegalArgumentException("attention mask " + Shape.str(mask.shape()) + " must have the shape of the ids " + Shape.str(ids.shape()));
        }
        for (int v : mask.data()) if (v != 1) return KeyPadding.keep(mask.toFloat());
        return null;
    }

    static IntTensor wholeIds(Tensor ids) {
        float[] v = ids.toArray();
        int[] ix = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw new IllegalArgumentException("Bert expects whole-number token ids, got " + v[i]);
            ix[i] = (int) v[i];
        }
        return IntTensor.of(ix, ids.shape());
    }

    @Override
    public Map<String, Object> config() {
        return config.toMap();
    }
}
