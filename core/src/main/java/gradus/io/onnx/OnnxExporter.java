package gradus.io.onnx;

import com.google.protobuf.ByteString;
import gradus.config.ConfigRecords;
import gradus.data.AffineScaler;
import gradus.data.Scaler;
import gradus.io.onnx.proto.OnnxProto.AttributeProto;
import gradus.io.onnx.proto.OnnxProto.GraphProto;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.NodeProto;
import gradus.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import gradus.io.onnx.proto.OnnxProto.StringStringEntryProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.io.onnx.proto.OnnxProto.TensorShapeProto;
import gradus.io.onnx.proto.OnnxProto.TypeProto;
import gradus.io.onnx.proto.OnnxProto.ValueInfoProto;
import gradus.nn.AvgPool2d;
import gradus.nn.BatchNorm1d;
import gradus.nn.BatchNorm2d;
import gradus.nn.BatchNorm;
import gradus.nn.Conv2d;
import gradus.nn.Dropout;
import gradus.nn.Flatten;
import gradus.nn.GELU;
import gradus.nn.GRU;
import gradus.nn.LSTM;
import gradus.nn.LayerNorm;
import gradus.nn.Layers;
import gradus.nn.LeakyReLU;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.nn.SiLU;
import gradus.nn.Sigmoid;
import gradus.nn.Softmax;
import gradus.nn.Tanh;
import gradus.nn.TransformerDecoderBlock;
import gradus.nn.TransformerEncoderBlock;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Turns a Gradus model into an ONNX graph (opset 17), layer by layer, as the model computes in
 * eval mode: Dropout is the identity and BatchNorm uses its running statistics. Initializers keep
 * the module's state-dict names where the layout is the same. Each module type's nodes come from an
 * {@link OnnxExports} family next to it (gradus.nn's layers: {@link NnOnnxExports}; the text models export from
 * gradus.models); the public methods here are what such an export builds the graph with.
 */
public final class OnnxExporter {
    static final int OPSET = 17;
    static final long IR_VERSION = 8;
    /** metadata_props keys carrying a saved model's card, read back by {@link LayerChainImport}. */
    static final String TASK_KEY = "gradus.task", CLASS_NAMES_KEY = "gradus.class_names";
    /** metadata_props key of the exported module's config (JSON), so a re-import can rebuild the architecture exactly. */
    static final String MODEL_CONFIG_KEY = "gradus.model";
    /** Writes and reads the class-name list of {@link #CLASS_NAMES_KEY}. */
    static final com.fasterxml.jackson.databind.ObjectMapper METADATA_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A value in the graph being built: its name and rank. */
    public record Flow(String name, int rank) {}

    /** Emits the nodes of one layer kind, reading {@code in}; {@code path} prefixes its initializer names. */
    @FunctionalInterface
    public interface LayerExport {
        Flow emit(OnnxExporter g, Module m, String path, Flow in);
    }

    /** Every exportable module type, from the {@link OnnxExports} families on the class path, in their order. */
    private static final Map<Class<? extends Module>, OnnxExports.Export> EXPORTS = new LinkedHashMap<>();

    static {
        for (OnnxExports family : ServiceLoader.load(OnnxExports.class, OnnxExporter.class.getClassLoader())) {
            for (OnnxExports.Export e : family.exports()) {
                if (EXPORTS.putIfAbsent(e.type(), e) != null) throw new IllegalStateException("two ONNX exports for " + e.type().getName());
            }
        }
    }

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private int counter;

    OnnxExporter() {}

    /** Whether {@code model} reads token ids (int64 [batch, sequence]) rather than float features. */
    static boolean readsTokenIds(Module model) {
        OnnxExports.Export e = EXPORTS.get(model.getClass());
        return e != null && e.tokenIds() != null;
    }

    /**
     * The ModelProto for {@code model}. A feature model gets input "input" of {@code inputShape}
     * (dimension 0 and any -1 dynamic) and output "output"; a text model gets input "input_ids"
     * (int64 [batch, sequence]) and output "logits", and {@code inputShape} must be null or of rank 2.
     */
    ModelProto export(Module model, int[] inputShape) {
        return export(model, inputShape, null, Map.of());
    }

    /**
     * As {@link #export(Module, int[])}, with a feature model's input preprocessing (null: none) as the graph's
     * first nodes and {@code metadata} as the model's metadata_props.
     */
    ModelProto export(Module model, int[] inputShape, Scaler preprocessing, Map<String, String> metadata) {
        boolean text = readsTokenIds(model);
        OnnxExports.TokenIds tokens = text ? EXPORTS.get(model.getClass()).tokenIds() : null;
        String inName = text ? "input_ids" : "input", outName = text ? tokens.output() : "output";
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        Flow out;
        if (text) {
            if (inputShape != null && inputShape.length != 2) {
                throw new IllegalArgumentException(model.getClass().getSimpleName() + " reads token ids [batch, sequence]; got input shape "
                        + Arrays.toString(inputShape));
            }
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("sequence"));
            if (preprocessing != null) throw new IllegalArgumentException("a text model reads token ids; it has no input scaler to export");
            out = EXPORTS.get(model.getClass()).emit().emit(this, model, "", new Flow(inName, 2));
        } else {
            if (inputShape == null || inputShape.length == 0) {
                throw new IllegalArgumentException("exporting " + model.getClass().getSimpleName() + " needs an input shape with at least a batch dimension");
            }
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            for (int i = 1; i < inputShape.length; i++) {
                // -1 marks another dynamic axis: the sequence for [batch, seq, features] inputs.
                shape.addDim(inputShape[i] < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam(i == 1 ? "sequence" : "dim" + i)
                        : TensorShapeProto.Dimension.newBuilder().setDimValue(inputShape[i]));
            }
            Flow in = new Flow(inName, inputShape.length);
            out = layer(model, "", preprocessing == null ? in : scaled(in, preprocessing, inputShape));
        }
        nodes.add(NodeProto.newBuilder().setOpType("Identity").setName(outName).addInput(out.name).addOutput(outName).build());
        GraphProto.Builder inputs = GraphProto.newBuilder()
                .addInput(ValueInfoProto.newBuilder().setName(inName).setType(tensorType(text ? DataType.INT64 : DataType.FLOAT, shape)));
        for (String other : text ? tokens.extraInputs() : List.<String>of()) {
            inputs.addInput(ValueInfoProto.newBuilder().setName(other).setType(tensorType(DataType.INT64, shape)));
        }
        GraphProto graph = inputs
                .setName(model.getClass().getSimpleName())
                .addOutput(ValueInfoProto.newBuilder().setName(outName).setType(tensorType(DataType.FLOAT, outputShape(model, shape))))
                .addAllNode(nodes)
                .addAllInitializer(initializers)
                .build();
        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("gradus")
                .setGraph(graph);
        Map<String, String> props = new LinkedHashMap<>(metadata);
        try {
            props.put(MODEL_CONFIG_KEY, METADATA_JSON.writeValueAsString(model.config()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the config of " + model.getClass().getSimpleName() + " is not JSON: " + e.getMessage(), e);
        }
        props.forEach((k, v) -> proto.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return proto.build();
    }

    /**
     * The output's shape, which ONNX requires on graph outputs: found by running the model (in eval mode, no
     * gradients) at a base size and with each dynamic input axis grown in turn. An output axis that grows with
     * one input axis takes its name; one that never changes is fixed; any other is left unnamed.
     */
    private static TensorShapeProto.Builder outputShape(Module model, TensorShapeProto.Builder inputShape) {
        List<TensorShapeProto.Dimension> in = inputShape.getDimList();
        int[] base = new int[in.size()];
        List<Integer> dynamic = new ArrayList<>();
        for (int i = 0; i < base.length; i++) {
            base[i] = in.get(i).hasDimValue() ? (int) in.get(i).getDimValue() : 2;
            if (!in.get(i).hasDimValue()) dynamic.add(i);
        }
        boolean training = model.isTraining();
        model.eval();
        try {
            int[] reference = probe(model, base);
            List<int[]> grown = new ArrayList<>();
            for (int axis : dynamic) {
                int[] bigger = base.clone();
                bigger[axis]++;
                grown.add(probe(model, bigger));
            }
            TensorShapeProto.Builder out = TensorShapeProto.newBuilder();
            for (int j = 0; j < reference.length; j++) {
                String follows = null;
                boolean changes = false;
                for (int d = 0; d < dynamic.size(); d++) {
                    if (grown.get(d)[j] == reference[j]) continue;
                    follows = changes ? null : in.get(dynamic.get(d)).getDimParam();
                    changes = true;
                }
                var dim = TensorShapeProto.Dimension.newBuilder();
                if (!changes) dim.setDimValue(reference[j]);
                else if (follows != null) dim.setDimParam(follows);
                out.addDim(dim);
            }
            return out;
        } finally {
            if (training) model.train();
        }
    }

    /**
     * (x - shift) * scale per feature, as the saved model's scaler computes it, with its numbers as Constant
     * nodes of the example's shape (broadcast over the batch; constants, so a re-import does not train them).
     */
    private Flow scaled(Flow in, Scaler scaler, int[] inputShape) {
        if (!(scaler instanceof AffineScaler affine)) {
            throw new IllegalArgumentException("cannot export the input scaler " + scaler.getClass().getSimpleName() + " to ONNX");
        }
        int[] example = Arrays.copyOfRange(inputShape, 1, inputShape.length);
        Tensor shift = affine.shift(), scale = affine.scale();
        if (Arrays.stream(example).anyMatch(d -> d < 0) || Shape.numel(example) != shift.numel()) {
            throw new IllegalArgumentException("the input scaler has " + shift.numel() + " features, which do not fill the example shape "
                    + Arrays.toString(example) + " of input shape " + Arrays.toString(inputShape));
        }
        Flow centred = node("Sub", in.rank, List.of(in.name, constant(shift.reshape(example))));
        return node("Mul", in.rank, List.of(centred.name, constant(scale.reshape(example))));
    }

    private static int[] probe(Module model, int[] inputShape) {
        Tensor x = readsTokenIds(model) ? Tensor.ones(inputShape) : Tensor.zeros(inputShape);
        return model.predict(x).shape();
    }

    private static TypeProto tensorType(DataType type, TensorShapeProto.Builder shape) {
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(type.code);
        if (shape != null) t.setShape(shape);
        return TypeProto.newBuilder().setTensorType(t).build();
    }

    /** The nodes of sublayer {@code m} (any exportable feature layer), its initializers named {@code path} + state-dict key. */
    public Flow layer(Module m, String path, Flow in) {
        OnnxExports.Export e = EXPORTS.get(m.getClass());
        if (e == null || e.tokenIds() != null) throw unsupported(m, path.isEmpty() ? "(model)" : path.substring(0, path.length() - 1));
        return e.emit().emit(this, m, path, in);
    }

    /** The layer exported as the single ONNX node {@code op} (the table import reads nodes back with), or null. */
    static OnnxExports.Export singleNodeExport(String op) {
        for (OnnxExports.Export e : EXPORTS.values()) if (e.node() != null && e.node().op().equals(op)) return e;
        return null;
    }

    /** The ONNX operators of the single-node layers, in table order. */
    static List<String> singleNodeOps() {
        return EXPORTS.values().stream().filter(e -> e.node() != null).map(e -> e.node().op()).toList();
    }

    /** The node of a {@link OnnxExports.SingleNode} layer: its config record's values as the node's attributes. */
    Flow singleNode(OnnxExports.SingleNode n, Module m, Flow in) {
        Map<String, Object> config = ConfigRecords.write(Layers.configOf(m));
        List<AttributeProto> attrs = new ArrayList<>();
        n.attributes().forEach((key, attribute) -> attrs.add(switch (config.get(key)) {
            case Integer i -> attr(attribute, (long) i);
            case Float f -> attr(attribute, f);
            case Object o -> throw new IllegalStateException("config key '" + key + "' of " + m.getClass().getSimpleName()
                    + " is no ONNX attribute: " + o);
        }));
        return node(n.op(), in.rank(), List.of(in.name()), attrs.toArray(AttributeProto[]::new));
    }

    /** Fails naming the model's own type unless it is an exportable layer or text model (its sublayers are checked as they are met). */
    static void requireExportable(Module model) {
        if (!EXPORTS.containsKey(model.getClass())) throw unsupported(model, "(model)");
    }

    private static IllegalArgumentException unsupported(Module m, String path) {
        return new IllegalArgumentException("cannot export layer '" + path + "' of type " + m.getClass().getSimpleName() + " to ONNX; exportable layers: "
                + names(false) + ", text models: " + names(true));
    }

    private static List<String> names(boolean textModels) {
        return EXPORTS.values().stream().filter(e -> (e.tokenIds() != null) == textModels).map(e -> e.type().getSimpleName()).toList();
    }

    // ---------------------------------------------------------------- layers

    static Flow linear(OnnxExporter g, Module m, String path, Flow in) {
        Linear l = (Linear) m;
        String w = g.initializer(path + "weight", l.weight());
        String b = l.bias() == null ? null : g.initializer(path + "bias", l.bias());
        if (in.rank == 2) {
            List<String> inputs = b == null ? List.of(in.name, w) : List.of(in.name, w, b);
            return g.node("Gemm", 2, inputs, attr("transB", 1L));
        }
        Flow wt = g.node("Transpose", 2, List.of(w), attr("perm", new long[]{1, 0}));
        Flow y = g.node("MatMul", in.rank, List.of(in.name, wt.name));
        return b == null ? y : g.node("Add", in.rank, List.of(y.name, b));
    }

    /** gelu(x) = x·½·(1 + erf(x/√2)), the exact form (opset 17 has no Gelu). */
    public Flow gelu(Flow in) {
        String invSqrt2 = constant(1f / (float) Math.sqrt(2)), half = constant(0.5f), one = constant(1f);
        Flow e = node("Erf", in.rank, List.of(node("Mul", in.rank, List.of(in.name, invSqrt2)).name));
        Flow p = node("Add", in.rank, List.of(e.name, one));
        return node("Mul", in.rank, List.of(node("Mul", in.rank, List.of(in.name, half)).name, p.name));
    }

    static Flow flatten(OnnxExporter g, Module m, String path, Flow in) {
        int start = ((Number) m.config().get("start_dim")).intValue(), end = ((Number) m.config().get("end_dim")).intValue();
        int s = start < 0 ? start + in.rank : start, e = end < 0 ? end + in.rank : end;
        if (e != in.rank - 1) throw new IllegalArgumentException("ONNX export of Flatten needs end_dim = -1, got " + end);
        if (s == 1) return g.node("Flatten", 2, List.of(in.name), attr("axis", 1L));
        // Keep the leading dimensions (0 copies them in Reshape) and merge the rest.
        long[] shape = new long[s + 1];
        shape[s] = -1;
        return g.node("Reshape", s + 1, List.of(in.name, g.longs(shape)));
    }

    static Flow conv(OnnxExporter g, Module m, String path, Flow in) {
        Conv2d c = (Conv2d) m;
        Map<String, Object> cfg = c.config();
        long[] k = pair(cfg.get("kernel")), s = pair(cfg.get("stride")), p = pair(cfg.get("padding")), d = pair(cfg.get("dilation"));
        List<String> inputs = new ArrayList<>(List.of(in.name, g.initializer(path + "weight", c.weight())));
        if (c.bias() != null) inputs.add(g.initializer(path + "bias", c.bias()));
        long groups = cfg.get("groups") instanceof Number n ? n.longValue() : 1L;
        Flow out = g.node("Conv", in.rank, inputs, attr("kernel_shape", k), attr("strides", s),
                attr("pads", new long[]{p[0], p[1], p[0], p[1]}), attr("dilations", d), attr("group", groups));
        return c.activation().equals("relu") ? g.node("Relu", out.rank, List.of(out.name)) : out;
    }

    Flow pool(String op, Module m, Flow in) {
        Map<String, Object> cfg = m.config();
        long[] k = pair(cfg.get("kernel")), s = pair(cfg.get("stride")), p = pair(cfg.get("padding"));
        List<AttributeProto> attrs = new ArrayList<>(List.of(attr("kernel_shape", k), attr("strides", s), attr("pads", new long[]{p[0], p[1], p[0], p[1]})));
        // Gradus averages over the whole window, padding included.
        if (op.equals("AveragePool")) attrs.add(attr("count_include_pad", 1L));
        return node(op, in.rank, List.of(in.name), attrs.toArray(AttributeProto[]::new));
    }

    static Flow batchNorm(OnnxExporter g, Module m, String path, Flow in) {
        BatchNorm b = (BatchNorm) m;
        float eps = ((Number) b.config().get("eps")).floatValue();
        return g.node("BatchNormalization", in.rank, List.of(in.name, g.initializer(path + "weight", b.weight()),
                g.initializer(path + "bias", b.bias()), g.initializer(path + "running_mean", b.runningMean()),
                g.initializer(path + "running_var", b.runningVar())), attr("epsilon", eps));
    }

    static Flow layerNorm(OnnxExporter g, Module m, String path, Flow in) {
        LayerNorm l = (LayerNorm) m;
        int dims = ((List<?>) l.config().get("shape")).size();
        float eps = ((Number) l.config().get("eps")).floatValue();
        return g.node("LayerNormalization", in.rank, List.of(in.name, g.initializer(path + "weight", l.weight()),
                g.initializer(path + "bias", l.bias())), attr("axis", (long) -dims), attr("epsilon", eps));
    }

    /** A spatial size from a layer config: one number for both directions, or [h, w]. */
    static long[] pair(Object v) {
        if (v instanceof Number n) return new long[]{n.longValue(), n.longValue()};
        List<?> l = (List<?>) v;
        return new long[]{((Number) l.get(0)).longValue(), ((Number) l.get(1)).longValue()};
    }

    // ---------------------------------------------------------------- graph building

    public Flow unary(String op, Flow in) {
        return node(op, in.rank, List.of(in.name));
    }

    public Flow node(String op, int rank, List<String> inputs, AttributeProto... attributes) {
        String out = op.toLowerCase() + "_" + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs).addOutput(out);
        for (AttributeProto a : attributes) n.addAttribute(a);
        nodes.add(n.build());
        return new Flow(out, rank);
    }

    /** A node with several outputs (e.g. LSTM's Y, Y_h, Y_c), of the given ranks. */
    public Flow[] nodeOutputs(String op, int[] ranks, List<String> inputs, AttributeProto... attributes) {
        String base = op.toLowerCase() + "_" + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(base).addAllInput(inputs);
        Flow[] out = new Flow[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            out[i] = new Flow(base + "_" + i, ranks[i]);
            n.addOutput(out[i].name);
        }
        for (AttributeProto a : attributes) n.addAttribute(a);
        nodes.add(n.build());
        return out;
    }

    /** 0, 1, …, T-1 (int64 [T]) for the length T of axis 1 of x (the sequence axis). */
    public Flow positions(Flow x) {
        Flow t = node("Gather", 0, List.of(node("Shape", 1, List.of(x.name)).name, longScalar(1)), attr("axis", 0L));
        return node("Range", 1, List.of(longScalar(0), t.name, longScalar(1)));
    }

    public Flow unsqueeze(Flow x, long axis) {
        return node("Unsqueeze", x.rank + 1, List.of(x.name, longs(new long[]{axis})));
    }

    /** Adds {@code t} as a float initializer named {@code name}; returns the name. */
    public String initializer(String name, Tensor t) {
        initializers.add(floats(t).setName(name).build());
        return name;
    }

    private static TensorProto.Builder floats(Tensor t) {
        float[] v = t.toArray();
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder p = TensorProto.newBuilder().setDataType(DataType.FLOAT.code).setRawData(ByteString.copyFrom(b.array()));
        for (int d : t.shape()) p.addDims(d);
        return p;
    }

    /** A scalar float as a Constant node (not an initializer, so re-importing does not make it trainable). */
    public String constant(float v) {
        return constantNode(TensorProto.newBuilder().setDataType(DataType.FLOAT.code).addFloatData(v));
    }

    /** A fixed float tensor (a computed table, not a weight) as a Constant node. */
    public String constant(Tensor t) {
        return constantNode(floats(t));
    }

    /** A scalar int64 as a Constant node (Range bounds, Gather indices that drop the axis). */
    public String longScalar(long v) {
        return constantNode(TensorProto.newBuilder().setDataType(DataType.INT64.code).addInt64Data(v));
    }

    public String longs(long[] v) {
        TensorProto.Builder p = TensorProto.newBuilder().setDataType(DataType.INT64.code).addDims(v.length);
        for (long x : v) p.addInt64Data(x);
        return constantNode(p);
    }

    private String constantNode(TensorProto.Builder value) {
        AttributeProto a = AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
        return node("Constant", value.getDimsCount(), List.of(), a).name;
    }

    public static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    public static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    public static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    public static AttributeProto attr(String name, long[] v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }
}
