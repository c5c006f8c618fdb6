package gradus.nn;

import gradus.config.Config;
import gradus.config.Default;

import java.util.ArrayList;
import java.util.List;

/**
 * The layer types of gradus.nn with their typed config records (a component per key, in snake_case, with its
 * default). Adding a layer: its record and one {@link LayerType#of} line here; LayerContractTest then asks for its spec.
 */
public final class NnLayers implements LayerFamily {
    public record SequentialConfig(List<Config> layers) {}
    public record NoConfig() {}
    public record LinearConfig(int in, int out, @Default("true") boolean bias) {}
    public record LeakyReLUConfig(@Default("0.01") float slope) {}
    public record SoftmaxConfig(@Default("-1") int dim) {}
    public enum ConvActivation { LINEAR, RELU }
    public record Conv2dConfig(int in, int out, int[] kernel, @Default("1") int[] stride, @Default("0") int[] padding,
                               @Default("1") int[] dilation, @Default("true") boolean bias, @Default("linear") ConvActivation activation,
                               @Default("1") int groups) {}
    public record ConvTranspose2dConfig(int in, int out, int[] kernel, @Default("1") int[] stride, @Default("0") int[] padding,
                                        @Default("0") int[] outputPadding, @Default("1") int[] dilation, @Default("true") boolean bias) {}
    public record UpsampleConfig(@Default("2") int[] scale, @Default("nearest") Upsample.Mode mode, @Default("false") boolean alignCorners) {}
    public record ResidualBlockConfig(int in, int out, @Default("1") int stride, @Default("false") boolean bottleneck) {}
    public record GroupNormConfig(int groups, int channels, @Default("1e-5") float eps) {}
    /** {@code stride} defaults to the kernel. */
    public record Pool2dConfig(int[] kernel, @Default(Default.NONE) int[] stride, @Default("0") int[] padding) {}
    public record FlattenConfig(@Default("1") int startDim, @Default("-1") int endDim) {}
    public record DropoutConfig(@Default("0.5") float p) {}
    public record BatchNormConfig(int features, @Default("1e-5") float eps, @Default("0.1") float momentum) {}
    public record LayerNormConfig(int[] shape, @Default("1e-5") float eps) {}
    public record EmbeddingConfig(int numEmbeddings, int dim, @Default(Default.NONE) Integer paddingIdx) {}
    public record RecurrentConfig(int inputSize, int hiddenSize, @Default("1") int numLayers, @Default("false") boolean bidirectional,
                                  @Default("true") boolean batchFirst, @Default("0") float dropout, @Default("true") boolean bias) {}
    /** {@code attention}: a sliding window ({@code {window: 256, global_tokens: 1}}); none means full attention. */
    public record MultiHeadAttentionConfig(int embedDim, int numHeads, @Default("0") float dropout, @Default("true") boolean bias,
                                           @Default("false") boolean rotary, @Default(Default.NONE) AttentionWindow attention) {}
    public record PositionsConfig(int maxLen, int dim) {}
    public record RotaryEmbeddingConfig(int dim, @Default("10000") float base) {}
    /** {@code hidden} defaults to 4 × width. */
    public record EncoderBlockConfig(int width, int heads, @Default(Default.NONE) Integer hidden, @Default("0") float dropout,
                                     @Default("true") boolean normFirst, @Default("1e-5") float eps, @Default("false") boolean rotary,
                                     @Default(Default.NONE) AttentionWindow attention) {}
    public record DecoderBlockConfig(int width, int heads, @Default(Default.NONE) Integer hidden, @Default("0") float dropout,
                                     @Default("true") boolean normFirst, @Default("1e-5") float eps, @Default("false") boolean crossAttention,
                                     @Default("false") boolean rotary) {}

    @Override
    public List<LayerType<?>> types() {
        return List.of(
                LayerType.of("Sequential", Sequential.class, SequentialConfig.class, c -> {
                    List<Module> layers = new ArrayList<>();
                    for (Config l : c.layers()) layers.add(Layers.fromConfig(l));
                    return new Sequential(layers);
                }),
                LayerType.of("Linear", Linear.class, LinearConfig.class, c -> new Linear(c.in(), c.out(), c.bias())),
                LayerType.of("ReLU", ReLU.class, NoConfig.class, c -> new ReLU()),
                LayerType.of("GELU", GELU.class, NoConfig.class, c -> new GELU()),
                LayerType.of("SiLU", SiLU.class, NoConfig.class, c -> new SiLU()),
                LayerType.of("Sigmoid", Sigmoid.class, NoConfig.class, c -> new Sigmoid()),
                LayerType.of("Tanh", Tanh.class, NoConfig.class, c -> new Tanh()),
                LayerType.of("LeakyReLU", LeakyReLU.class, LeakyReLUConfig.class, c -> new LeakyReLU(c.slope())),
                LayerType.of("Softmax", Softmax.class, SoftmaxConfig.class, c -> new Softmax(c.dim())),
                LayerType.of("Conv2d", Conv2d.class, Conv2dConfig.class, c -> new Conv2d(c.in(), c.out(), c.kernel(), c.stride(),
                        c.padding(), c.dilation(), c.bias(), c.groups()).activation(c.activation() == ConvActivation.RELU ? "relu" : "linear")),
                LayerType.of("ConvTranspose2d", ConvTranspose2d.class, ConvTranspose2dConfig.class, c -> new ConvTranspose2d(c.in(), c.out(),
                        c.kernel(), c.stride(), c.padding(), c.outputPadding(), c.dilation(), c.bias())),
                LayerType.of("Upsample", Upsample.class, UpsampleConfig.class, c -> new Upsample(c.scale(), c.mode(), c.alignCorners())),
                LayerType.of("GroupNorm", GroupNorm.class, GroupNormConfig.class, c -> new GroupNorm(c.groups(), c.channels(), c.eps())),
                LayerType.of("ResidualBlock", ResidualBlock.class, ResidualBlockConfig.class, c ->
                        new ResidualBlock(c.in(), c.out(), c.stride(), c.bottleneck())),
                LayerType.of("GlobalAvgPool2d", GlobalAvgPool2d.class, NoConfig.class, c -> new GlobalAvgPool2d()),
                LayerType.of("MaxPool2d", MaxPool2d.class, Pool2dConfig.class, c -> new MaxPool2d(c.kernel(), c.stride(), c.padding())),
                LayerType.of("AvgPool2d", AvgPool2d.class, Pool2dConfig.class, c -> new AvgPool2d(c.kernel(), c.stride(), c.padding())),
                LayerType.of("Flatten", Flatten.class, FlattenConfig.class, c -> new Flatten(c.startDim(), c.endDim())),
                LayerType.of("Dropout", Dropout.class, DropoutConfig.class, c -> new Dropout(c.p())),
                LayerType.of("BatchNorm1d", BatchNorm1d.class, BatchNormConfig.class, c -> new BatchNorm1d(c.features(), c.eps(), c.momentum())),
                LayerType.of("BatchNorm2d", BatchNorm2d.class, BatchNormConfig.class, c -> new BatchNorm2d(c.features(), c.eps(), c.momentum())),
                LayerType.of("LayerNorm", LayerNorm.class, LayerNormConfig.class, c -> new LayerNorm(c.shape(), c.eps())),
                LayerType.of("Embedding", Embedding.class, EmbeddingConfig.class, c -> new Embedding(c.numEmbeddings(), c.dim(), c.paddingIdx())),
                LayerType.of("LSTM", LSTM.class, RecurrentConfig.class, c -> new LSTM(c.inputSize(), c.hiddenSize(), c.numLayers(),
                        c.bidirectional(), c.batchFirst(), c.dropout(), c.bias())),
                LayerType.of("GRU", GRU.class, RecurrentConfig.class, c -> new GRU(c.inputSize(), c.hiddenSize(), c.numLayers(),
                        c.bidirectional(), c.batchFirst(), c.dropout(), c.bias())),
                LayerType.of("MultiHeadAttention", MultiHeadAttention.class, MultiHeadAttentionConfig.class, c ->
                        new MultiHeadAttention(c.embedDim(), c.numHeads(), c.dropout(), c.bias(), c.rotary(), c.attention())),
                LayerType.of("SinusoidalPositionalEncoding", SinusoidalPositionalEncoding.class, PositionsConfig.class, c ->
                        new SinusoidalPositionalEncoding(c.maxLen(), c.dim())),
                LayerType.of("LearnedPositionalEmbedding", LearnedPositionalEmbedding.class, PositionsConfig.class, c ->
                        new LearnedPositionalEmbedding(c.maxLen(), c.dim())),
                LayerType.of("RotaryEmbedding", RotaryEmbedding.class, RotaryEmbeddingConfig.class, c -> new RotaryEmbedding(c.dim(), c.base())),
                LayerType.of("TransformerEncoderBlock", TransformerEncoderBlock.class, EncoderBlockConfig.class, c ->
                        new TransformerEncoderBlock(c.width(), c.heads(), c.hidden() == null ? 4 * c.width() : c.hidden(), c.dropout(),
                                c.normFirst(), c.eps(), c.rotary(), c.attention())),
                LayerType.of("TransformerDecoderBlock", TransformerDecoderBlock.class, DecoderBlockConfig.class, c ->
                        new TransformerDecoderBlock(c.width(), c.heads(), c.hidden() == null ? 4 * c.width() : c.hidden(), c.dropout(),
                                c.normFirst(), c.eps(), c.crossAttention(), c.rotary())));
    }
}
