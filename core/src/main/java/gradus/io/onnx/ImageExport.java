package gradus.io.onnx;

import gradus.io.onnx.OnnxExporter.Flow;
import gradus.nn.ConvTranspose2d;
import gradus.nn.GroupNorm;
import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static gradus.io.onnx.OnnxExporter.attr;
import static gradus.io.onnx.OnnxExporter.pair;

/** ONNX (opset 17) nodes for the image layers: ConvTranspose, Resize, GroupNorm as InstanceNormalization, GlobalAveragePool. */
final class ImageExport {
    private ImageExport() {}

    static Flow convTranspose(OnnxExporter g, Module m, String path, Flow in) {
        ConvTranspose2d c = (ConvTranspose2d) m;
        Map<String, Object> cfg = c.config();
        long[] k = pair(cfg.get("kernel")), s = pair(cfg.get("stride")), p = pair(cfg.get("padding")), d = pair(cfg.get("dilation")),
                op = pair(cfg.get("output_padding"));
        List<String> inputs = new ArrayList<>(List.of(in.name(), g.initializer(path + "weight", c.weight())));
        if (c.bias() != null) inputs.add(g.initializer(path + "bias", c.bias()));
        return g.node("ConvTranspose", 4, inputs, attr("kernel_shape", k), attr("strides", s),
                attr("pads", new long[]{p[0], p[1], p[0], p[1]}), attr("dilations", d), attr("output_padding", op));
    }

    /** PyTorch's nearest is Resize's asymmetric floor; bilinear is half_pixel (or align_corners) linear. */
    static Flow upsample(OnnxExporter g, Module m, String path, Flow in) {
        Map<String, Object> cfg = m.config();
        long[] s = pair(cfg.get("scale"));
        String scales = g.constant(Tensor.of(new float[]{1, 1, s[0], s[1]}, 4));
        boolean nearest = cfg.get("mode").equals("nearest");
        String transform = nearest ? "asymmetric" : Boolean.TRUE.equals(cfg.get("align_corners")) ? "align_corners" : "half_pixel";
        return g.node("Resize", 4, List.of(in.name(), "", scales), attr("mode", nearest ? "nearest" : "linear"),
                attr("coordinate_transformation_mode", transform), attr("nearest_mode", "floor"));
    }

    /** [N, C, H, W] → [N, groups, C/groups·H·W], InstanceNormalization with unit scale, back, then the per-channel affine. */
    static Flow groupNorm(OnnxExporter g, Module m, String path, Flow in) {
        GroupNorm n = (GroupNorm) m;
        Map<String, Object> cfg = n.config();
        int groups = ((Number) cfg.get("groups")).intValue(), channels = ((Number) cfg.get("channels")).intValue();
        float eps = ((Number) cfg.get("eps")).floatValue();
        String shape = g.node("Shape", 1, List.of(in.name())).name();
        Flow grouped = g.node("Reshape", 3, List.of(in.name(), g.longs(new long[]{0, groups, -1})));
        Flow normed = g.node("InstanceNormalization", 3, List.of(grouped.name(), g.constant(Tensor.ones(groups)), g.constant(Tensor.zeros(groups))),
                attr("epsilon", eps));
        Flow back = g.node("Reshape", in.rank(), List.of(normed.name(), shape));
        long[] perChannel = new long[in.rank() - 1];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[0] = channels;
        String w = g.node("Reshape", perChannel.length, List.of(g.initializer(path + "weight", n.weight()), g.longs(perChannel))).name();
        String b = g.node("Reshape", perChannel.length, List.of(g.initializer(path + "bias", n.bias()), g.longs(perChannel))).name();
        return g.node("Add", in.rank(), List.of(g.node("Mul", in.rank(), List.of(back.name(), w)).name(), b));
    }

    static Flow globalAvgPool(OnnxExporter g, Module m, String path, Flow in) {
        Flow pooled = g.node("GlobalAveragePool", 4, List.of(in.name()));
        return g.node("Flatten", 2, List.of(pooled.name()), attr("axis", 1L));
    }
}
