package gradus.models;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import gradus.config.Config;
import gradus.files.FileFormatException;
import gradus.io.Safetensors;
import gradus.io.onnx.Onnx;
import gradus.io.onnx.proto.OnnxProto.AttributeProto;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.NodeProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pretrained weights for {@link Bert}: from a BERT-family ONNX file (Hugging Face / sentence-transformers
 * exports; weights whose initializers got generated names such as {@code onnx::MatMul_787} are found
 * through the graph) or from a Hugging Face folder ({@code config.json} + {@code model.safetensors}).
 * Hugging Face's parameter names (with or without the {@code bert.} prefix) map onto Bert's.
 */
public final class BertWeights {
    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)\\.(weight|bias|gamma|beta)");
    private static final Map<String, String> LAYER_PARTS = Map.of(
            "attention.self.query", "self_attn.q_proj",
            "attention.self.key", "self_attn.k_proj",
            "attention.self.value", "self_attn.v_proj",
            "attention.output.dense", "self_attn.out_proj",
            "attention.output.LayerNorm", "norm1",
            "intermediate.dense", "linear1",
            "output.dense", "linear2",
            "output.LayerNorm", "norm2");
    private static final Map<String, String> EMBEDDINGS = Map.of(
            "word_embeddings", "word", "position_embeddings", "position", "token_type_embeddings", "token_type", "LayerNorm", "norm");

    private BertWeights() {}

    /** A Bert from a Hugging Face folder or a {@code .onnx} file (see {@link #fromOnnx(Path, BertConfig)}). */
    public static Bert load(Path fileOrFolder) throws IOException {
        return Files.isDirectory(fileOrFolder) ? fromHuggingFace(fileOrFolder) : fromOnnx(fileOrFolder, null);
    }

    // ---------------------------------------------------------------- Hugging Face

    /** A Bert from a Hugging Face folder: {@code config.json} and {@code model.safetensors}. */
    public static Bert fromHuggingFace(Path dir) throws IOException {
        Path configFile = dir.resolve("config.json"), weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(configFile)) throw new NoSuchFileException(configFile.toString(), null, "missing config.json in the Hugging Face folder");
        if (!Files.isRegularFile(weights)) {
            String why = Files.exists(dir.resolve("model.safetensors.index.json")) ? "sharded checkpoints are not supported"
                    : Files.exists(dir.resolve("pytorch_model.bin")) ? "only safetensors weights are read; convert pytorch_model.bin"
                    : "missing model.safetensors";
            throw new NoSuchFileException(weights.toString(), null, why);
        }
        Bert bert = new Bert(BertConfig.fromHuggingFace(configFile));
        load(bert, Safetensors.read(weights).tensors(), weights);
        return bert;
    }

    /** Writes {@code bert} as a Hugging Face folder (config.json, model.safetensors with BertModel's names) that {@link #fromHuggingFace} and transformers read. */
    public static void saveHuggingFace(Bert bert, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> hf = new LinkedHashMap<>();
        for (var e : bert.stateDict().entrySet()) hf.put(huggingFaceName(e.getKey()), e.getValue());
        Safetensors.write(dir.resolve("model.safetensors"), hf, Map.of("format", "pt"));
        String json = new JsonMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(bert.bertConfig().toHuggingFace());
        Files.writeString(dir.resolve("config.json"), json + "\n");
    }

    private static String huggingFaceName(String gradus) {
        String[] p = gradus.split("\\.");
        if (p[0].equals("embeddings")) {
            for (var e : EMBEDDINGS.entrySet()) if (e.getValue().equals(p[1])) return "embeddings." + e.getKey() + "." + p[2];
        } else {
            String part = gradus.substring(gradus.indexOf('.', 7) + 1, gradus.lastIndexOf('.'));
            for (var e : LAYER_PARTS.entrySet()) if (e.getValue().equals(part)) return "encoder.layer." + p[1] + "." + e.getKey() + "." + p[p.length - 1];
        }
        throw new IllegalStateException("no Hugging Face name for " + gradus);
    }

    /** Copies Hugging Face-named weights into {@code bert}; fails naming {@code source} when they do not fit. */
    public static void load(Bert bert, Map<String, Tensor> huggingFace, Path source) throws FileFormatException {
        try {
            bert.loadStateDict(toGradusNames(huggingFace));
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(source, "weights do not fit " + bert.bertConfig() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Renames Hugging Face BERT parameters to Bert's state-dict keys. The {@code bert.} prefix,
     * position ids, the pooler and pretraining heads ({@code cls.}) are dropped; other unknown names fail.
     */
    public static Map<String, Tensor> toGradusNames(Map<String, Tensor> huggingFace) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        TreeSet<String> unknown = new TreeSet<>();
        for (var e : huggingFace.entrySet()) {
            String name = e.getKey().startsWith("bert.") ? e.getKey().substring(5) : e.getKey();
            if (name.equals("embeddings.position_ids") || name.startsWith("pooler.") || e.getKey().startsWith("cls.")) continue;
            String mapped = gradusName(name);
            if (mapped == null) unknown.add(e.getKey());
            else out.put(mapped, e.getValue());
        }
        if (!unknown.isEmpty()) throw new IllegalArgumentException("not BERT encoder parameters: " + unknown);
        return out;
    }

    private static String gradusName(String name) {
        Matcher m = LAYER.matcher(name);
        if (m.matches()) {
            String part = LAYER_PARTS.get(m.group(2));
            return part == null ? null : "layers." + m.group(1) + "." + part + "." + leaf(m.group(3));
        }
        String[] p = name.split("\\.");
        if (p.length == 3 && p[0].equals("embeddings") && EMBEDDINGS.containsKey(p[1])) {
            boolean norm = p[1].equals("LayerNorm");
            if (norm ? p[2].matches("weight|bias|gamma|beta") : p[2].equals("weight")) return "embeddings." + EMBEDDINGS.get(p[1]) + "." + leaf(p[2]);
        }
        return null;
    }

    /** Old TensorFlow-converted checkpoints call LayerNorm's weight and bias gamma and beta. */
    private static String leaf(String s) {
        return switch (s) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            default -> s;
        };
    }

    // ---------------------------------------------------------------- ONNX

    /**
     * A Bert from a BERT-family ONNX encoder (inputs input_ids, attention_mask, token_type_ids). The
     * config comes from {@code config} when given, else from the weights' shapes and the graph
     * (head count from the attention's reshape, LayerNorm epsilon from its constant; dropout 0.1).
     */
    public static Bert fromOnnx(Path file, BertConfig config) throws IOException {
        Map<String, Tensor> initializers = Onnx.load(file).initializers();
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(file)); // Onnx.load succeeded, so this parses
        Bert exported = config == null ? exportedByGradus(proto, initializers, file) : null;
        if (exported != null) return exported;
        Graph g = new Graph(proto, initializers);
        Map<String, Tensor> hf = g.huggingFaceWeights(file);
        if (config == null) config = g.inferConfig(hf, file);
        Bert bert = new Bert(config);
        load(bert, hf, file);
        return bert;
    }

    /** A Bert that Gradus exported (its config in the file's metadata, its weights under Bert's own names), else null. */
    @SuppressWarnings("unchecked")
    private static Bert exportedByGradus(ModelProto proto, Map<String, Tensor> initializers, Path file) throws FileFormatException {
        for (var p : proto.getMetadataPropsList()) {
            if (!p.getKey().equals(Onnx.MODEL_CONFIG_KEY)) continue;
            Map<String, Object> c;
            try {
                c = new com.fasterxml.jackson.databind.ObjectMapper().readValue(p.getValue(), Map.class);
            } catch (IOException e) {
                throw new FileFormatException(file, "metadata " + Onnx.MODEL_CONFIG_KEY + " is not a JSON object: " + e.getMessage(), e);
            }
            if (!"Bert".equals(c.get("type"))) return null;
            Bert bert = Bert.fromConfig(new Config(file + ": metadata " + Onnx.MODEL_CONFIG_KEY, c));
            try {
                bert.loadStateDict(initializers);
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file, "weights do not fit the Bert of its " + Onnx.MODEL_CONFIG_KEY + " metadata: " + e.getMessage(), e);
            }
            return bert;
        }
        return null;
    }

    /** The graph's nodes indexed by what they produce and consume. */
    private static final class Graph {
        final Map<String, Tensor> initializers;
        final Map<String, NodeProto> producer = new HashMap<>();
        final Map<String, List<NodeProto>> consumers = new HashMap<>();
        final Map<String, TensorProto> constants = new HashMap<>();
        final List<NodeProto> nodes;

        Graph(ModelProto proto, Map<String, Tensor> initializers) {
            this.initializers = initializers;
            this.nodes = proto.getGraph().getNodeList();
            for (TensorProto t : proto.getGraph().getInitializerList()) constants.put(t.getName(), t);
            for (NodeProto n : nodes) {
                for (String o : n.getOutputList()) producer.put(o, n);
                for (String i : n.getInputList()) consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
                if (n.getOpType().equals("Constant")) {
                    for (AttributeProto a : n.getAttributeList()) if (a.getName().equals("value")) constants.put(n.getOutput(0), a.getT());
                }
            }
        }

        /**
         * The named initializers as they are, plus each projection weight under the name of its bias
         * (X.bias → X.weight), transposed from ONNX's [in, out] MatMul operand to Linear's [out, in].
         */
        Map<String, Tensor> huggingFaceWeights(Path file) throws FileFormatException {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (var e : initializers.entrySet()) if (gradusName(strip(e.getKey())) != null) out.put(strip(e.getKey()), e.getValue());
            for (NodeProto n : nodes) {
                boolean gemm = n.getOpType().equals("Gemm");
                if (!(gemm || n.getOpType().equals("MatMul")) || n.getInputCount() < 2) continue;
                Tensor w = initializers.get(n.getInput(1));
                if (w == null || w.dim() != 2) continue;
                String prefix = projectionName(n, gemm);
                if (prefix == null) throw new FileFormatException(file, "cannot tell which BERT weight the " + n.getOpType() + " node '" + n.getName() + "' uses");
                boolean transposed = gemm && intAttribute(n, "transB", 0) == 1;
                out.put(prefix + ".weight", transposed ? w : w.t().contiguous());
            }
            return out;
        }

        /** X for a product whose bias is the initializer X.bias (Gemm's third input, or the Add after a MatMul), else from the node's path. */
        private String projectionName(NodeProto n, boolean gemm) {
            List<String> biases = new ArrayList<>();
            if (gemm && n.getInputCount() > 2) biases.add(n.getInput(2));
            for (NodeProto add : consumers.getOrDefault(n.getOutput(0), List.of())) {
                if (add.getOpType().equals("Add")) biases.addAll(add.getInputList());
            }
            for (String b : biases) {
                if (b.endsWith(".bias") && initializers.containsKey(b)) return strip(b.substring(0, b.length() - 5));
            }
            // Exporters name nodes by module path: /encoder/layer.0/attention/self/query/MatMul.
            String path = n.getName().replaceFirst("^/", "").replaceFirst("/[^/]+$", "").replace('/', '.');
            return gradusName(strip(path) + ".weight") != null ? strip(path) : null;
        }

        BertConfig inferConfig(Map<String, Tensor> hf, Path file) throws FileFormatException {
            Tensor words = require(hf, "embeddings.word_embeddings.weight", file), positions = require(hf, "embeddings.position_embeddings.weight", file);
            Tensor types = require(hf, "embeddings.token_type_embeddings.weight", file);
            Tensor inter = require(hf, "encoder.layer.0.intermediate.dense.bias", file);
            int layers = 0;
            while (hf.containsKey("encoder.layer." + layers + ".attention.self.query.weight")) layers++;
            int hidden = words.size(1);
            return new BertConfig(words.size(0), hidden, layers, heads(hidden, file), inter.size(0), positions.size(0), types.size(0),
                    layerNormEps(), 0.1f);
        }

        /** From the reshape of the first query projection to [batch, time, heads, headSize]. */
        private int heads(int hidden, Path file) throws FileFormatException {
            for (NodeProto n : nodes) {
                if (!n.getOpType().equals("MatMul") || !"encoder.layer.0.attention.self.query".equals(projectionNameOrNull(n))) continue;
                String q = n.getOutput(0);
                for (NodeProto add : consumers.getOrDefault(q, List.of())) if (add.getOpType().equals("Add")) q = add.getOutput(0);
                for (NodeProto r : consumers.getOrDefault(q, List.of())) {
                    if (!r.getOpType().equals("Reshape")) continue;
                    long[] shape = shapeValues(r.getInput(1));
                    if (shape != null && shape.length == 4) {
                        if (shape[2] > 0) return (int) shape[2];
                        if (shape[3] > 0) return (int) (hidden / shape[3]);
                    }
                }
            }
            throw new FileFormatException(file, "cannot find the number of attention heads in the graph; give a BertConfig (or a Hugging Face config.json)");
        }

        private String projectionNameOrNull(NodeProto n) {
            return n.getInputCount() > 1 && initializers.containsKey(n.getInput(1)) ? projectionName(n, false) : null;
        }

        /** A constant shape, or a Concat of pieces with the constant ones filled in (-2 where unknown). */
        private long[] shapeValues(String name) {
            long[] v = constant(name);
            if (v != null) return v;
            NodeProto p = producer.get(name);
            if (p == null || !p.getOpType().equals("Concat")) return null;
            long[] out = new long[p.getInputCount()];
            for (int i = 0; i < out.length; i++) {
                long[] piece = constant(p.getInput(i));
                out[i] = piece != null && piece.length == 1 ? piece[0] : -2;
            }
            return out;
        }

        private long[] constant(String name) {
            TensorProto t = constants.get(name);
            if (t == null || t.getDataType() != TensorProto.DataType.INT64_VALUE) return null;
            if (t.getInt64DataCount() > 0) return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] v = new long[b.remaining() / 8];
            for (int i = 0; i < v.length; i++) v[i] = b.getLong();
            return v;
        }

        /** LayerNormalization's epsilon, or the constant added to the variance before Sqrt; BERT's 1e-12 if neither is found. */
        private float layerNormEps() {
            for (NodeProto n : nodes) {
                if (n.getOpType().equals("LayerNormalization")) {
                    for (AttributeProto a : n.getAttributeList()) if (a.getName().equals("epsilon")) return a.getF();
                }
                if (!n.getOpType().equals("Sqrt")) continue;
                NodeProto add = producer.get(n.getInput(0));
                if (add == null || !add.getOpType().equals("Add")) continue;
                for (String in : add.getInputList()) {
                    TensorProto t = constants.get(in);
                    if (t != null && t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                        if (t.getFloatDataCount() == 1) return t.getFloatData(0);
                        if (t.getRawData().size() == 4) return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat();
                    }
                }
            }
            return 1e-12f;
        }

        private static long intAttribute(NodeProto n, String name, long fallback) {
            for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getI();
            return fallback;
        }

        private static Tensor require(Map<String, Tensor> hf, String name, Path file) throws FileFormatException {
            Tensor t = hf.get(name);
            if (t == null) throw new FileFormatException(file, "is not a BERT encoder: no '" + name + "' weight");
            return t;
        }

        private static String strip(String name) {
            return name.startsWith("bert.") ? name.substring(5) : name;
        }
    }
}
