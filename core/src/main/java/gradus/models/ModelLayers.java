package gradus.models;

import gradus.config.Config;
import gradus.config.Default;
import gradus.nn.AttentionWindow;
import gradus.nn.LayerFamily;
import gradus.nn.LayerType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The architectures of gradus.models as layer types, so a config.json or YAML names them like any layer
 * ({@code type: Gpt}) while gradus.nn stays unaware of this package. Gpt and Bert keep their own config records
 * (GptConfig, BertConfig, which also read Hugging Face files); the classifiers' records are here.
 */
public final class ModelLayers implements LayerFamily {
    public record LstmClassifierConfig(int vocabSize, @Default("64") int embedDim, @Default("128") int hidden, @Default("1") int layers,
                                       @Default("false") boolean bidirectional, @Default("0") float dropout,
                                       @Default("last") LstmClassifier.Pooling pooling, @Default("2") int classes) {}
    /** {@code attention}: a sliding window for long inputs ({@code {window: 256, global_tokens: 1}}); none means full attention. */
    public record TransformerClassifierConfig(int vocabSize, @Default("256") int maxLength, @Default("64") int width, @Default("4") int heads,
                                              @Default("2") int layers, @Default("0.1") float dropout, @Default("2") int classes,
                                              @Default(Default.NONE) AttentionWindow attention) {}
    /** Biased matrix factorization; {@code biases: false} for the plain dot product that BPR trains. */
    public record MatrixFactorizationConfig(int users, int items, @Default("32") int factors, @Default("true") boolean biases,
                                            @Default("0.1") float initStd, @Default("0") float globalBias) {}
    /** NeuMF: {@code factors} for the GMF tower, {@code mlp} the MLP tower's sizes (the first split between user and item). */
    public record NeuMFConfig(int users, int items, @Default("8") int factors, @Default("64,32,16,8") int[] mlp) {}
    /** {@code encoder} is a Bert config section; pooling "cls" and dropout 0.1 by default. */
    public record BertClassifierConfig(BertConfig encoder, int numClasses, SentencePooling pooling, float dropout) {
        static BertClassifierConfig from(Config c) {
            c.allowOnly("type", "encoder", "num_classes", "pooling", "dropout");
            return new BertClassifierConfig(BertConfig.from(c.getSection("encoder")), c.getInt("num_classes"),
                    SentencePooling.parse(c.getString("pooling", "cls")), c.getFloat("dropout", 0.1f));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encoder", encoder.toMap());
            m.put("num_classes", numClasses);
            m.put("pooling", pooling.key());
            m.put("dropout", dropout);
            return m;
        }
    }

    @Override
    public List<LayerType<?>> types() {
        return List.of(
                new LayerType<>("Gpt", Gpt.class, GptConfig.class, GptConfig::from, GptConfig::toMap, Gpt::new),
                new LayerType<>("Bert", Bert.class, BertConfig.class, BertConfig::from, BertConfig::toMap, Bert::new),
                new LayerType<>("BertClassifier", BertClassifier.class, BertClassifierConfig.class, BertClassifierConfig::from,
                        BertClassifierConfig::toMap, c -> new BertClassifier(c.encoder(), c.numClasses(), c.pooling(), c.dropout())),
                LayerType.of("LstmClassifier", LstmClassifier.class, LstmClassifierConfig.class, c -> new LstmClassifier(c.vocabSize(),
                        c.embedDim(), c.hidden(), c.layers(), c.bidirectional(), c.dropout(), c.pooling(), c.classes())),
                LayerType.of(Seq2SeqTransformer.TYPE, Seq2SeqTransformer.class, Seq2SeqConfig.class, Seq2SeqTransformer::new),
                LayerType.of("TransformerClassifier", TransformerClassifier.class, TransformerClassifierConfig.class, c ->
                        new TransformerClassifier(c.vocabSize(), c.maxLength(), c.width(), c.heads(), c.layers(), c.dropout(), c.classes(), c.attention())),
                LayerType.of("MatrixFactorization", MatrixFactorization.class, MatrixFactorizationConfig.class, c ->
                        new MatrixFactorization(c.users(), c.items(), c.factors(), c.biases(), c.initStd(), c.globalBias())),
                LayerType.of("NeuMF", NeuMF.class, NeuMFConfig.class, c ->
                        new NeuMF(c.users(), c.items(), c.factors(), java.util.Arrays.stream(c.mlp()).boxed().toList())));
    }
}
