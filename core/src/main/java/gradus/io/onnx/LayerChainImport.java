package gradus.io.onnx;

import gradus.tensor.Shape;
import gradus.io.ModelCard;
import gradus.config.Config;
import gradus.data.Scaler;
import gradus.files.FileFormatException;
import gradus.io.onnx.proto.OnnxProto.GraphProto;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.NodeProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.io.onnx.proto.OnnxProto.TensorShapeProto;
import gradus.io.onnx.proto.OnnxProto.ValueInfoProto;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a chain-shaped ONNX graph over one float input, as Gradus exports feature models (MLPs, CNNs), as
 * native Gradus layers: a trainable {@code Sequential} that saves as a model directory and exports again. Leading
 * Sub and Mul by constants (an exported input scaler) become the card's preprocessing, not layers; the
 * {@code gradus.*} metadata the exporter writes (task, class names) comes back into the card.
 */
final class LayerChainImport {
    /** Operators rebuilt as layers; any other operator is refused, naming its node. */
    static final List<String> OPERATORS = List.of("Gemm", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Softmax", "Flatten", "Reshape",
            "Conv", "MaxPool", "AveragePool", "BatchNormalization", "Identity");

    private final Path file;
    private final TensorData data;
    private final Map<String, Value> constants = new HashMap<>();
    private final List<Map<String, Object>> layers = new ArrayList<>();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();

    private LayerChainImport(Path file) {
        this.file = file;
        this.data = new TensorData(file);
    }

    /** Whether the graph takes exactly one input, of a float type: a feature model rather than a text encoder. */
    static boolean takesOneFloatInput(ModelProto model) {
        List<ValueInfoProto> inputs = realInputs(model.getGraph());
        return inputs.size() == 1 && inputs.getFirst().getType().getTensorType().getElemType() == DataType.FLOAT.code;
    }

    static Onnx.ImportedLayers read(ModelProto model, Path file) throws IOException {
        return new LayerChainImport(file).rebuild(model);
    }

    private Onnx.ImportedLayers rebuild(ModelProto model) throws IOException {
        GraphProto g = model.getGraph();
        if (!takesOneFloatInput(model)) throw new FileFormatException(file, "rebuilding layers needs a graph with one float input, got " + realInputs(g).size());
        if (g.getOutputCount() != 1) throw new FileFormatException(file, "rebuilding layers needs a graph with one output, got " + g.getOutputCount());
        for (TensorProto t : g.getInitializerList()) constants.put(t.getName(), data.decode(t, "initializer '" + t.getName() + "'"));
        ValueInfoProto input = realInputs(g).getFirst();
        int[] inputShape = exampleShape(input);
        Map<String, Object> card = new LinkedHashMap<>();
        String flow = input.getName();
        int rank = inputShape.length + 1;
        Tensor shift = null;
        for (NodeProto n : g.getNodeList()) {
            String where = "node '" + n.getName() + "' (" + n.getOpType() + ")";
            Attributes a = new Attributes(n, where, data, new ElementLimit());
            if (n.getOpType().equals("Constant")) {
                constants.put(n.getOutput(0), a.tensor("value"));
                continue;
            }
            if (n.getInputCount() == 0 || !n.getInput(0).equals(flow) || n.getOutputCount() != 1) {
                throw refuse(where + " does not continue the chain from '" + flow + "'");
            }
            boolean leading = layers.isEmpty() && !card.containsKey("preprocessing");
            switch (n.getOpType()) {
                case "Sub" -> {
                    if (!leading || shift != null) throw refuse(where + " is not an input scaler's shift at the start of the graph");
                    shift = tensor(n, 1, where);
                }
                case "Mul" -> {
                    if (!leading || shift == null) throw refuse(where + " is not an input scaler's factor after its shift");
                    card.put("preprocessing", Map.of("scaler", scaler(shift, tensor(n, 1, where), inputShape, where)));
                }
                case "Gemm" -> gemm(n, a, where);
                case "Relu" -> layers.add(Map.of("type", "ReLU"));
                case "Sigmoid" -> layers.add(Map.of("type", "Sigmoid"));
                case "Tanh" -> layers.add(Map.of("type", "Tanh"));
                case "LeakyRelu" -> layers.add(Map.of("type", "LeakyReLU", "slope", a.f("alpha", 0.01f)));
                case "Softmax" -> layers.add(Map.of("type", "Softmax", "dim", a.integer("axis", -1)));
                case "Flatten" -> {
                    int axis = a.integer("axis", 1);
                    layers.add(Map.of("type", "Flatten", "start_dim", axis));
                    rank = axis + 1;
                }
                case "Reshape" -> rank = reshape(n, where);
                case "Conv" -> conv(n, a, where);
                case "MaxPool", "AveragePool" -> pool(n, a, where);
                case "BatchNormalization" -> batchNorm(n, a, rank, where);
                case "Identity" -> { }
                default -> throw refuse(where + " is not one of the operators Gradus rebuilds as layers " + OPERATORS);
            }
            flow = n.getOutput(0);
        }
        if (shift != null && !card.containsKey("preprocessing")) throw refuse("the input's Sub has no Mul after it");
        if (!flow.equals(g.getOutput(0).getName())) throw refuse("the chain ends at '" + flow + "', not at the graph output '" + g.getOutput(0).getName() + "'");
        Module net = Layers.fromConfig(new Config(file + ": rebuilt layers", Map.of("type", "Sequential", "layers", layers)));
        // A BatchNorm's step counter is no part of the graph (it only matters when training with momentum = None).
        net.stateDict().forEach((k, v) -> {
            if (k.endsWith("num_batches_tracked")) weights.putIfAbsent(k, v);
        });
        net.loadStateDict(weights);
        net.eval();
        card.put("input_shape", Arrays.stream(inputShape).boxed().toList());
        for (var p : model.getMetadataPropsList()) {
            if (p.getKey().equals(OnnxExporter.TASK_KEY)) card.put("task", p.getValue());
            if (p.getKey().equals(OnnxExporter.CLASS_NAMES_KEY)) card.put("class_names", classNames(p.getValue()));
        }
        return new Onnx.ImportedLayers(net, card);
    }

    private List<String> classNames(String json) throws FileFormatException {
        try {
            return List.of(OnnxExporter.METADATA_JSON.readValue(json, String[].class));
        } catch (IOException | RuntimeException e) {
            throw new FileFormatException(file, "metadata " + OnnxExporter.CLASS_NAMES_KEY + " is not a JSON list of names: " + e.getMessage());
        }
    }

    private void gemm(NodeProto n, Attributes a, String where) throws FileFormatException {
        a.requireDefault("transA", 0, "a Linear layer multiplies its input untransposed");
        if (a.f("alpha", 1f) != 1f || a.f("beta", 1f) != 1f) throw refuse(where + " scales by alpha/beta, which a Linear layer does not");
        Tensor w = tensor(n, 1, where);
        if (w.dim() != 2) throw refuse(where + " has a weight of shape " + Arrays.toString(w.shape()) + ", not a matrix");
        // A Linear layer's weight is [out, in], Gemm's B with transB = 1; without it B is [in, out].
        if (a.i("transB", 0) == 0) w = w.t().contiguous();
        boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
        layers.add(Map.of("type", "Linear", "in", w.size(1), "out", w.size(0), "bias", bias));
        addWeights(Map.of("weight", w), bias ? Map.of("bias", tensor(n, 2, where)) : Map.of());
    }

    private void conv(NodeProto n, Attributes a, String where) throws FileFormatException {
        a.requireDefault("group", 1, "Conv2d has no groups");
        Tensor w = tensor(n, 1, where);
        if (w.dim() != 4) throw refuse(where + " is not a 2-d convolution (weight " + Arrays.toString(w.shape()) + ")");
        boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
        Map<String, Object> c = new LinkedHashMap<>(Map.of("type", "Conv2d", "in", w.size(1), "out", w.size(0), "bias", bias));
        c.put("kernel", List.of(w.size(2), w.size(3)));
        c.put("stride", pair(a.ints("strides", new int[]{1, 1})));
        c.put("padding", symmetricPads(a, where));
        c.put("dilation", pair(a.ints("dilations", new int[]{1, 1})));
        layers.add(c);
        addWeights(Map.of("weight", w), bias ? Map.of("bias", tensor(n, 2, where)) : Map.of());
    }

    private void pool(NodeProto n, Attributes a, String where) throws FileFormatException {
        boolean avg = n.getOpType().equals("AveragePool");
        if (avg && a.i("count_include_pad", 0) != 1 && Arrays.stream(a.ints("pads", new int[4])).anyMatch(p -> p != 0)) {
            throw refuse(where + " averages without the padding; AvgPool2d counts it");
        }
        a.requireDefault("ceil_mode", 0, "Gradus pools round down");
        int[] k = a.ints("kernel_shape", null);
        if (k == null || k.length != 2) throw refuse(where + " needs a 2-d kernel_shape");
        layers.add(Map.of("type", avg ? "AvgPool2d" : "MaxPool2d", "kernel", pair(k), "stride", pair(a.ints("strides", new int[]{1, 1})),
                "padding", symmetricPads(a, where)));
    }

    private void batchNorm(NodeProto n, Attributes a, int rank, String where) throws FileFormatException {
        Tensor weight = tensor(n, 1, where);
        layers.add(Map.of("type", rank == 4 ? "BatchNorm2d" : "BatchNorm1d", "features", weight.numel(), "eps", a.f("epsilon", 1e-5f)));
        addWeights(Map.of("weight", weight, "bias", tensor(n, 2, where)), Map.of("running_mean", tensor(n, 3, where), "running_var", tensor(n, 4, where)));
    }

    /** Reshape to [0, …, 0, -1] (keep the leading axes, merge the rest) is a Flatten from that axis; returns the new rank. */
    private int reshape(NodeProto n, String where) throws FileFormatException {
        long[] shape = constant(n, 1, where).longs(where);
        boolean flatten = shape.length >= 2 && shape[shape.length - 1] == -1;
        for (int i = 0; flatten && i < shape.length - 1; i++) flatten = shape[i] == 0;
        if (!flatten) throw refuse(where + " reshapes to " + Arrays.toString(shape) + ", which is not a Flatten ([0, …, -1])");
        layers.add(Map.of("type", "Flatten", "start_dim", shape.length - 1));
        return shape.length;
    }

    private void addWeights(Map<String, Tensor> first, Map<String, Tensor> more) {
        String prefix = (layers.size() - 1) + ".";
        first.forEach((k, v) -> weights.put(prefix + k, v));
        more.forEach((k, v) -> weights.put(prefix + k, v));
    }

    /** The scaler computing (x - shift) * scale, as a standard scaler (mean = shift, std = 1 / scale), in Gradus's JSON form. */
    private Map<String, Object> scaler(Tensor shift, Tensor scale, int[] example, String where) throws FileFormatException {
        int features = Shape.numel(example);
        if (shift.numel() != features || scale.numel() != features) {
            throw refuse(where + ": an input scaler needs one shift and one factor per input value (" + features + "), got "
                    + shift.numel() + " and " + scale.numel());
        }
        float[] std = scale.toArray();
        for (int i = 0; i < std.length; i++) std[i] = 1f / std[i];
        return ModelCard.scalerJson(Scaler.fromState(Map.of("type", "standard", "mean", Tensor.of(shift.toArray()), "std", Tensor.of(std))));
    }

    private Tensor tensor(NodeProto n, int index, String where) throws FileFormatException {
        return constant(n, index, where).tensor(where + " input " + index);
    }

    private Value constant(NodeProto n, int index, String where) throws FileFormatException {
        Value v = index < n.getInputCount() ? constants.get(n.getInput(index)) : null;
        if (v == null) throw refuse(where + " input " + index + " is not an initializer or constant");
        return v;
    }

    private List<Integer> symmetricPads(Attributes a, String where) throws FileFormatException {
        int[] p = a.ints("pads", new int[4]);
        if (p.length != 4 || p[0] != p[2] || p[1] != p[3]) throw refuse(where + " pads " + Arrays.toString(p) + " unevenly; Gradus pads both sides alike");
        return List.of(p[0], p[1]);
    }

    private static List<Integer> pair(int[] v) {
        return v.length == 1 ? List.of(v[0], v[0]) : List.of(v[0], v[1]);
    }

    /** One example's shape: the input's dimensions after the batch axis, each fixed. */
    private int[] exampleShape(ValueInfoProto input) throws FileFormatException {
        List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        if (dims.size() < 2) throw new FileFormatException(file, "input '" + input.getName() + "' needs a batch axis and a fixed example shape, got rank " + dims.size());
        int[] shape = new int[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() < 1) {
                throw new FileFormatException(file, "input '" + input.getName() + "' axis " + i + " is not a fixed size; rebuilt layers need one example's shape");
            }
            shape[i - 1] = (int) dims.get(i).getDimValue();
        }
        return shape;
    }

    private static List<ValueInfoProto> realInputs(GraphProto g) {
        var initializers = g.getInitializerList().stream().map(TensorProto::getName).collect(java.util.stream.Collectors.toSet());
        return g.getInputList().stream().filter(i -> !initializers.contains(i.getName())).toList();
    }

    private FileFormatException refuse(String why) {
        return new FileFormatException(file, "cannot rebuild as Gradus layers: " + why
                + " (Gradus rebuilds the chains it exports for MLPs and CNNs; load other graphs in Java with Onnx.load)");
    }
}
