package gradus.models;

import gradus.nn.Dropout;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.TransformerEncoderBlock;
import gradus.nn.init.Init;
import gradus.optim.ParamGroup;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text classifier on a (pretrained) {@link Bert}: the encoder ({@code encoder}), sentence pooling
 * (the [CLS] vector or the mean over real tokens), dropout and a Linear head ({@code head}) to class
 * logits. For fine-tuning, {@link #freezeEncoder} keeps the lower layers fixed and {@link #paramGroups}
 * gives the head and each encoder layer its own learning rate (layer-wise decay).
 */
public final class BertClassifier extends Module {
    private final Bert encoder;
    private final int numClasses;
    private final SentencePooling pooling;
    private final float dropoutP;
    private final Dropout dropout;
    private final Linear head;

    /** A fresh encoder from {@code config}. */
    public BertClassifier(BertConfig config, int numClasses, SentencePooling pooling, float dropout) {
        this(new Bert(config), numClasses, pooling, dropout);
    }

    /** A classifier on {@code encoder} (e.g. from {@link BertWeights}); the head starts N(0, 0.02) with zero bias, as BERT's. */
    public BertClassifier(Bert encoder, int numClasses, SentencePooling pooling, float dropout) {
        if (numClasses < 2) throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + numClasses);
        this.encoder = registerModule("encoder", encoder);
        this.numClasses = numClasses;
        this.pooling = pooling;
        this.dropoutP = dropout;
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.head = registerModule("head", new Linear(encoder.bertConfig().hiddenSize(), numClasses));
        Init.normal(head.weight(), 0f, 0.02f);
        Init.zeros(head.bias());
    }

    public Bert encoder() {
        return encoder;
    }

    public Linear head() {
        return head;
    }

    /** Class logits [B, classes] for ids [B, T] with token types and attention mask (either may be null, as in {@link Bert}). */
    public Tensor forward(IntTensor ids, IntTensor typeIds, IntTensor attentionMask) {
        Tensor pooled = pooling.pool(encoder.forward(ids, typeIds, attentionMask), attentionMask);
        return head.forward(dropout.forward(pooled));
    }

    public Tensor forward(BatchEncoding batch) {
        return forward(batch.idsTensor(), batch.typeIdsTensor(), batch.attentionMaskTensor());
    }

    /** Logits for whole-number ids [B, T] where 0 is padding (BERT's [PAD]), as the text trainer feeds them. */
    @Override
    public Tensor forward(Tensor ids) {
        IntTensor ix = Bert.wholeIds(ids);
        int[] mask = new int[ix.numel()];
        for (int i = 0; i < mask.length; i++) mask[i] = ix.data()[i] == 0 ? 0 : 1;
        return forward(ix, null, IntTensor.of(mask, ix.shape()));
    }

    /**
     * Trains only the top {@code trainableLayers} encoder layers (and the head): the embeddings and the
     * layers below stop requiring gradients, so backward does not even reach them. A negative value, or
     * one at least the layer count, makes everything trainable again; 0 trains the head alone.
     */
    public void freezeEncoder(int trainableLayers) {
        List<TransformerEncoderBlock> layers = encoder.layers();
        int n = layers.size(), firstTrainable = trainableLayers < 0 ? 0 : Math.max(0, n - trainableLayers);
        setTrainable(encoder.embeddings(), firstTrainable == 0);
        for (int i = 0; i < n; i++) setTrainable(layers.get(i), i >= firstTrainable);
    }

    private static void setTrainable(Module m, boolean on) {
        for (Tensor p : m.parameters()) {
            p.requiresGrad(on);
            if (!on) p.zeroGrad();
        }
    }

    /**
     * Optimizer groups of the trainable parameters: the head at {@code headLr}, the top encoder layer at
     * {@code encoderLr}, each layer below at {@code layerDecay} times the one above, the embeddings
     * below the lowest layer. Frozen parameters are left out.
     */
    public List<ParamGroup> paramGroups(double headLr, double encoderLr, double layerDecay) {
        List<ParamGroup> groups = new ArrayList<>();
        add(groups, head.parameters(), headLr);
        List<TransformerEncoderBlock> layers = encoder.layers();
        double lr = encoderLr;
        for (int i = layers.size() - 1; i >= 0; i--, lr *= layerDecay) add(groups, layers.get(i).parameters(), lr);
        add(groups, encoder.embeddings().parameters(), lr);
        return groups;
    }

    private static void add(List<ParamGroup> groups, List<Tensor> params, double lr) {
        List<Tensor> trainable = params.stream().filter(Tensor::requiresGrad).toList();
        if (!trainable.isEmpty()) groups.add(new ParamGroup(trainable, lr));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "BertClassifier");
        c.put("encoder", encoder.config());
        c.put("num_classes", numClasses);
        c.put("pooling", pooling.key());
        c.put("dropout", dropoutP);
        return c;
    }
}
