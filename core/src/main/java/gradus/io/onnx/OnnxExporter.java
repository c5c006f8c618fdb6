package gradus.io.onnx;

import com.google.protobuf.ByteString;
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
import gradus.data.AffineScaler;
import gradus.data.Scaler;
import gradus.models.Bert;
import gradus.models.Gpt;
import gradus.models.LstmClassifier;
import gradus.models.TransformerClassifier;
import gradus.nn.AvgPool2d;
import gradus.nn.BatchNorm;
import gradus.nn.BatchNorm1d;
import gradus.nn.BatchNorm2d;
import gradus.nn.Conv2d;
import gradus.nn.Dropout;
import gradus.nn.Flatten;
import gradus.nn.GELU;
import gradus.nn.GRU;
import gradus.nn.LSTM;
import gradus.nn.LayerNorm;
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
import gradus.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a Gradus model into an ONNX graph (opset 17), layer by layer, as the model computes in
 * eval mode: Dropout is the identity and BatchNorm uses its running statistics. Initializers keep
 * the module's state-dict names where the layout is the same. Supporting a new layer is one entry
 * in {@link #LAYERS}; a model that reads token ids instead of features is one entry in {@link #TEXT_MODELS}.
 */
final class OnnxExporter {
    static final int OPSET = 17;
    static final long IR_VERSION = 8;
    /** metadata_props keys carrying a saved model's card, read back by {@link LayerChainImport}. */
    static final String TASK_KEY = "gradus.task", CLASS_NAMES_KEY = "gradus.class_names";
    /** metadata_props key of the exported module's config (JSON), so a re-import can rebuild the architecture exactly. */
    static final String MODEL_CONFIG_KEY = "gradus.model";
    /** Writes and reads the class-name list of {@link #CLASS_NAMES_KEY}. */
    static final com.fasterxml.jackson.databind.ObjectMapper METADATA_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A value in the graph being built: its name and rank. */
    record Flow(String name, int rank) {}

    /** Emits the nodes of one layer kind, reading {@code in}; {@code path} prefixes its initializer names. */
    @FunctionalInterface
    interface LayerExport {
        Flow emit(OnnxExporter g, Module m, String path, Flow in);
    }

    private static final Map<Class<? extends Module>, LayerExport> LAYERS = new LinkedHashMap<>();
    /** Models whose graph input is token ids: int64 [batch, sequence], both axes dynamic. */
    private static final Map<Class<? extends Module>, LayerExport> TEXT_MODELS = new LinkedHashMap<>();

    static {
        LAYERS.put(Sequential.class, (g, m, path, in) -> {
            Flow f = in;
            for (var e : m.children().entrySet()) f = g.layer(e.getValue(), path + e.getKey() + ".", f);
            return f;
        });
        LAYERS.put(Linear.class, OnnxExporter::linear);
        LAYERS.put(ReLU.class, (g, m, path, in) -> g.unary("Relu", in));
        LAYERS.put(Sigmoid.class, (g, m, path, in) -> g.unary("Sigmoid", in));
        LAYERS.put(Tanh.class, (g, m, path, in) -> g.unary("Tanh", in));
        LAYERS.put(GELU.class, (g, m, path, in) -> g.gelu(in));
        LAYERS.put(SiLU.class, (g, m, path, in) -> g.node("Mul", in.rank, List.of(in.name, g.unary("Sigmoid", in).name)));
        LAYERS.put(LeakyReLU.class, (g, m, path, in) -> g.node("LeakyRelu", in.rank, List.of(in.name),
                attr("alpha", ((Number) m.config().get("slope")).floatValue())));
        LAYERS.put(Softmax.class, (g, m, path, in) -> g.node("Softmax", in.rank, List.of(in.name),
                attr("axis", ((Number) m.config().get("dim")).longValue())));
        LAYERS.put(Dropout.class, (g, m, path, in) -> in);
        LAYERS.put(Flatten.class, OnnxExporter::flatten);
        LAYERS.put(Conv2d.class, OnnxExporter::conv);
        LAYERS.put(MaxPool2d.class, (g, m, path, in) -> g.pool("MaxPool", m, in));
        LAYERS.put(AvgPool2d.class, (g, m, path, in) -> g.pool("AveragePool", m, in));
        LAYERS.put(BatchNorm1d.class, OnnxExporter::batchNorm);
        LAYERS.put(BatchNorm2d.class, OnnxExporter::batchNorm);
        LAYERS.put(LayerNorm.class, OnnxExporter::layerNorm);
        LAYERS.put(LSTM.class, RecurrentExport::layer);
        LAYERS.put(GRU.class, RecurrentExport::layer);
        LAYERS.put(TransformerEncoderBlock.class, (g, m, path, in) ->
                AttentionExport.encoderBlock(g, (TransformerEncoderBlock) m, path, in, AttentionExport.Context.NONE));
        LAYERS.put(TransformerDecoderBlock.class, (g, m, path, in) -> AttentionExport.decoderBlock(g, (TransformerDecoderBlock) m, path, in,
                new AttentionExport.Context(AttentionExport.causalMask(g, in), null, null, null)));
        TEXT_MODELS.put(LstmClassifier.class, TextModelExport::lstmClassifier);
        TEXT_MODELS.put(Gpt.class, TextModelExport::gpt);
        TEXT_MODELS.put(TransformerClassifier.class, TextModelExport::transformerClassifier);
        TEXT_MODELS.put(Bert.class, TextModelExport::bert);
    }

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private int counter;

    /** Whether {@code model} reads token ids (int64 [batch, sequence]) rather than float features. */
    static boolean readsTokenIds(Module model) {
        return TEXT_MODELS.containsKey(model.getClass());
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
        boolean text = readsTokenIds(model), bert = model instanceof Bert;
        String inName = text ? "input_ids" : "input", outName = bert ? "last_hidden_state" : text ? "logits" : "output";
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
            out = TEXT_MODELS.get(model.getClass()).emit(this, model, "", new Flow(inName, 2));
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
        for (String other : bert ? List.of(TextModelExport.ATTENTION_MASK, TextModelExport.TOKEN_TYPE_IDS) : List.<String>of()) {
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
        if (Arrays.stream(example).anyMatch(d -> d < 0) || gradus.tensor.Shape.numel(example) != shift.numel()) {
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

    Flow layer(Module m, String path, Flow in) {
        LayerExport e = LAYERS.get(m.getClass());
        if (e == null) throw unsupported(m, path.isEmpty() ? "(model)" : path.substring(0, path.length() - 1));
        return e.emit(this, m, path, in);
    }

    /** Fails naming the model's own type unless it is an exportable layer or text model (its sublayers are checked as they are met). */
    static void requireExportable(Module model) {
        if (!LAYERS.containsKey(model.getClass()) && !readsTokenIds(model)) throw unsupported(model, "(model)");
    }

    private static IllegalArgumentException unsupported(Module m, String path) {
        return new IllegalArgumentException("cannot export layer '" + path + "' of type " + m.getClass().getSimpleName() + " to ONNX; exportable layers: "
                + LAYERS.keySet().stream().map(Class::getSimpleName).toList() + ", text models: "
                + TEXT_MODELS.keySet().stream().map(Class::getSimpleName).toList());
    }

    // ---------------------------------------------------------------- layers

    private static Flow linear(OnnxExporter g, Module m, String path, Flow in) {
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
    Flow gelu(Flow in) {
        String invSqrt2 = constant(1f / (float) Math.sqrt(2)), half = constant(0.5f), one = constant(1f);
        Flow e = node("Erf", in.rank, List.of(node("Mul", in.rank, List.of(in.name, invSqrt2)).name));
        Flow p = node("Add", in.rank, List.of(e.name, one));
        return node("Mul", in.rank, List.of(node("Mul", in.rank, List.of(in.name, half)).name, p.name));
    }

    private static Flow flatten(OnnxExporter g, Module m, String path, Flow in) {
        int start = ((Number) m.config().get("start_dim")).intValue(), end = ((Number) m.config().get("end_dim")).intValue();
        int s = start < 0 ? start + in.rank : start, e = end < 0 ? end + in.rank : end;
        if (e != in.rank - 1) throw new IllegalArgumentException("ONNX export of Flatten needs end_dim = -1, got " + end);
        if (s == 1) return g.node("Flatten", 2, List.of(in.name), attr("axis", 1L));
        // Keep the leading dimensions (0 copies them in Reshape) and merge the rest.
        long[] shape = new long[s + 1];
        shape[s] = -1;
        return g.node("Reshape", s + 1, List.of(in.name, g.longs(shape)));
    }

    private static Flow conv(OnnxExporter g, Module m, String path, Flow in) {
        Conv2d c = (Conv2d) m;
        Map<String, Object> cfg = c.config();
        long[] k = pair(cfg.get("kernel")), s = pair(cfg.get("stride")), p = pair(cfg.get("padding")), d = pair(cfg.get("dilation"));
        List<String> inputs = new ArrayList<>(List.of(in.name, g.initializer(path + "weight", c.weight())));
        if (c.bias() != null) inputs.add(g.initializer(path + "bias", c.bias()));
        Flow out = g.node("Conv", in.rank, inputs, attr("kernel_shape", k), attr("strides", s),
                attr("pads", new long[]{p[0], p[1], p[0], p[1]}), attr("dilations", d));
        return c.activation().equals("relu") ? g.node("Relu", out.rank, List.of(out.name)) : out;
    }

    private Flow pool(String op, Module m, Flow in) {
        Map<String, Object> cfg = m.config();
        long[] k = pair(cfg.get("kernel")), s = pair(cfg.get("stride")), p = pair(cfg.get("padding"));
        List<AttributeProto> attrs = new ArrayList<>(List.of(attr("kernel_shape", k), attr("strides", s), attr("pads", new long[]{p[0], p[1], p[0], p[1]})));
        // Gradus averages over the whole window, padding included.
        if (op.equals("AveragePool")) attrs.add(attr("count_include_pad", 1L));
        return node(op, in.rank, List.of(in.name), attrs.toArray(AttributeProto[]::new));
    }

    private static Flow batchNorm(OnnxExporter g, Module m, String path, Flow in) {
        BatchNorm b = (BatchNorm) m;
        float eps = ((Number) b.config().get("eps")).floatValue();
        return g.node("BatchNormalization", in.rank, List.of(in.name, g.initializer(path + "weight", b.weight()),
                g.initializer(path + "bias", b.bias()), g.initializer(path + "running_mean", b.runningMean()),
                g.initializer(path + "running_var", b.runningVar())), attr("epsilon", eps));
    }

    private static Flow layerNorm(OnnxExporter g, Module m, String path, Flow in) {
        LayerNorm l = (LayerNorm) m;
        int dims = ((List<?>) l.config().get("shape")).size();
        float eps = ((Number) l.config().get("eps")).floatValue();
        return g.node("LayerNormalization", in.rank, List.of(in.name, g.initializer(path + "weight", l.weight()),
                g.initializer(path + "bias", l.bias())), attr("axis", (long) -dims), attr("epsilon", eps));
    }

    /** A spatial size from a layer config: one number for both directions, or [h, w]. */
    private static long[] pair(Object v) {
        if (v instanceof Number n) return new long[]{n.longValue(), n.longValue()};
        List<?> l = (List<?>) v;
        return new long[]{((Number) l.get(0)).longValue(), ((Number) l.get(1)).longValue()};
    }

    // ---------------------------------------------------------------- graph building

    Flow unary(String op, Flow in) {
        return node(op, in.rank, List.of(in.name));
    }

    Flow node(String op, int rank, List<String> inputs, AttributeProto... attributes) {
        String out = op.toLowerCase() + "_" + counter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs).addOutput(out);
        for (AttributeProto a : attributes) n.addAttribute(a);
        nodes.add(n.build());
        return new Flow(out, rank);
    }

    /** A node with several outputs (e.g. LSTM's Y, Y_h, Y_c), of the given ranks. */
    Flow[] nodeOutputs(String op, int[] ranks, List<String> inputs, AttributeProto... attributes) {
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
    Flow positions(Flow x) {
        Flow t = node("Gather", 0, List.of(node("Shape", 1, List.of(x.name)).name, longScalar(1)), attr("axis", 0L));
        return node("Range", 1, List.of(longScalar(0), t.name, longScalar(1)));
    }

    Flow unsqueeze(Flow x, long axis) {
        return node("Unsqueeze", x.rank + 1, List.of(x.name, longs(new long[]{axis})));
    }

    /** Adds {@code t} as a float initializer named {@code name}; returns the name. */
    String initializer(String name, Tensor t) {
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
    String constant(float v) {
        return constantNode(TensorProto.newBuilder().setDataType(DataType.FLOAT.code).addFloatData(v));
    }

    /** A fixed float tensor (a computed table, not a weight) as a Constant node. */
    String constant(Tensor t) {
        return constantNode(floats(t));
    }

    /** A scalar int64 as a Constant node (Range bounds, Gather indices that drop the axis). */
    String longScalar(long v) {
        return constantNode(TensorProto.newBuilder().setDataType(DataType.INT64.code).addInt64Data(v));
    }

    String longs(long[] v) {
        TensorProto.Builder p = TensorProto.newBuilder().setDataType(DataType.INT64.code).addDims(v.length);
        for (long x : v) p.addInt64Data(x);
        return constantNode(p);
    }

    private String constantNode(TensorProto.Builder value) {
        AttributeProto a = AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
        return node("Constant", value.getDimsCount(), List.of(), a).name;
    }

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto attr(String name, long[] v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }
}
