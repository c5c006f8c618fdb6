package gradus.io.onnx;

import gradus.io.onnx.OnnxExporter.Flow;
import gradus.nn.AvgPool2d;
import gradus.nn.BatchNorm1d;
import gradus.nn.BatchNorm2d;
import gradus.nn.Conv2d;
import gradus.nn.ConvTranspose2d;
import gradus.nn.GlobalAvgPool2d;
import gradus.nn.GroupNorm;
import gradus.nn.Upsample;
import gradus.nn.Dropout;
import gradus.nn.Flatten;
import gradus.nn.GELU;
import gradus.nn.GRU;
import gradus.nn.LSTM;
import gradus.nn.LayerNorm;
import gradus.nn.LeakyReLU;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.nn.SiLU;
import gradus.nn.Sigmoid;
import gradus.nn.Softmax;
import gradus.nn.Tanh;
import gradus.nn.TransformerDecoderBlock;
import gradus.nn.TransformerEncoderBlock;

import java.util.List;

import static gradus.io.onnx.OnnxExports.Export.layer;
import static gradus.io.onnx.OnnxExports.Export.node;

/**
 * The ONNX export of each gradus.nn layer that has one, as the layer computes in eval mode. Supporting another
 * layer is one entry here; a {@code node(...)} entry (one ONNX node, config keys as attributes) is also how
 * {@link LayerChainImport} reads that node back as the layer.
 */
public final class NnOnnxExports implements OnnxExports {
    @Override
    public List<Export> exports() {
        return List.of(
                layer(Sequential.class, (g, m, path, in) -> {
                    Flow f = in;
                    for (var e : m.children().entrySet()) f = g.layer(e.getValue(), path + e.getKey() + ".", f);
                    return f;
                }),
                layer(Linear.class, OnnxExporter::linear),
                node(ReLU.class, "Relu"),
                node(Sigmoid.class, "Sigmoid"),
                node(Tanh.class, "Tanh"),
                layer(GELU.class, (g, m, path, in) -> g.gelu(in)),
                layer(SiLU.class, (g, m, path, in) -> g.node("Mul", in.rank(), List.of(in.name(), g.unary("Sigmoid", in).name()))),
                node(LeakyReLU.class, "LeakyRelu", "slope", "alpha"),
                node(Softmax.class, "Softmax", "dim", "axis"),
                layer(Dropout.class, (g, m, path, in) -> in),
                layer(Flatten.class, OnnxExporter::flatten),
                layer(Conv2d.class, OnnxExporter::conv),
                layer(ConvTranspose2d.class, ImageExport::convTranspose),
                layer(Upsample.class, ImageExport::upsample),
                layer(GroupNorm.class, ImageExport::groupNorm),
                layer(GlobalAvgPool2d.class, ImageExport::globalAvgPool),
                layer(MaxPool2d.class, (g, m, path, in) -> g.pool("MaxPool", m, in)),
                layer(AvgPool2d.class, (g, m, path, in) -> g.pool("AveragePool", m, in)),
                layer(BatchNorm1d.class, OnnxExporter::batchNorm),
                layer(BatchNorm2d.class, OnnxExporter::batchNorm),
                layer(LayerNorm.class, OnnxExporter::layerNorm),
                layer(LSTM.class, RecurrentExport::layer),
                layer(GRU.class, RecurrentExport::layer),
                layer(TransformerEncoderBlock.class, (g, m, path, in) ->
                        AttentionExport.encoderBlock(g, (TransformerEncoderBlock) m, path, in, AttentionExport.Context.NONE)),
                layer(TransformerDecoderBlock.class, (g, m, path, in) -> AttentionExport.decoderBlock(g, (TransformerDecoderBlock) m, path, in,
                        new AttentionExport.Context(AttentionExport.causalMask(g, in), null, null, null))));
    }
}
