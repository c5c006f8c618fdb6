package gradus.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.files.FileFormatException;
import gradus.io.Safetensors;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufTensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A Hugging Face Llama, Mistral, Qwen2 or Qwen3 folder ({@code config.json} with {@code model.safetensors}, or shards
 * listed by {@code model.safetensors.index.json}) run as a {@link Llama}. Each safetensors file is memory-mapped
 * once and its F32/F16/BF16 tensors are read in place under their GGUF names. Hugging Face keeps q and k in the
 * layout that rotates the two halves of each head, which GGUF's Llama converter permutes to adjacent pairs: the
 * weights are left as they are and the model rotates halves instead ({@link LlamaConfig#neoxRope()}).
 */
public final class HfCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfCheckpoint() {}

    public static Llama open(Path folder) throws IOException {
        Path configFile = folder.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new FileFormatException(configFile, "missing: not a Hugging Face model folder");
        JsonNode config = JSON.readTree(configFile.toFile());
        LlamaConfig c = config(configFile, config);
        Arena arena = Arena.ofShared();
        try {
            Map<String, GgufTensor> tensors = tensors(folder, arena);
            float[] factors = llama3RopeFactors(configFile, config, c.ropeDims(), c.ropeTheta());
            if (factors != null) tensors.put("rope_freqs.weight", f32("rope_freqs.weight", factors, arena)); // as llama.cpp's converter writes them
            Path shown = folder;
            return new Llama(withVocab(c, tensors, shown), new Llama.TensorSource() {
                public GgufTensor tensor(String name) throws FileFormatException {
                    GgufTensor t = tensors.get(hfName(name));
                    if (t == null) throw new FileFormatException(shown, "tensor " + hfName(name) + " (" + name + "): missing");
                    return t;
                }

                public boolean has(String name) {
                    return tensors.containsKey(hfName(name));
                }

                public Path path() {
                    return shown;
                }
            }, null, arena::close);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** config.json's fields; anything that would change the computation and is not implemented is refused by name. */
    static LlamaConfig config(Path file, JsonNode json) throws FileFormatException {
        String type = json.path("model_type").asText("");
        LlamaConfig.Family family = switch (type) {
            case "llama", "mistral" -> LlamaConfig.Family.LLAMA;
            case "qwen2" -> LlamaConfig.Family.QWEN2;
            case "qwen3" -> LlamaConfig.Family.QWEN3;
            default -> throw new FileFormatException(file, "model_type: " + (type.isEmpty() ? "missing" : type + " is not supported")
                    + " (llama, mistral, qwen2 and qwen3 are)");
        };
        if (!json.path("hidden_act").asText("silu").equals("silu")) {
            throw new FileFormatException(file, "hidden_act: " + json.get("hidden_act").asText() + " is not supported (silu is)");
        }
        for (String flag : new String[] {"attention_bias", "mlp_bias", "use_sliding_window"}) {
            if (json.path(flag).asBoolean(false)) throw new FileFormatException(file, flag + ": true is not supported");
        }
        float ropeScale = 1;
        JsonNode scaling = json.path("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()) {
            String kind = scaling.path("rope_type").asText(scaling.path("type").asText(""));
            if (!kind.equals("linear") && !kind.equals("llama3")) {
                throw new FileFormatException(file, "rope_scaling: type " + kind + " is not supported (linear and llama3 are)");
            }
            if (kind.equals("linear")) ropeScale = (float) positiveNumber(file, scaling, "factor");
        }
        int dim = positive(file, json, "hidden_size"), heads = positive(file, json, "num_attention_heads");
        int kvHeads = json.has("num_key_value_heads") ? positive(file, json, "num_key_value_heads") : heads;
        int headDim = json.hasNonNull("head_dim") ? positive(file, json, "head_dim") : dim / heads;
        if ((!json.hasNonNull("head_dim") && dim % heads != 0) || heads % kvHeads != 0) {
            throw new FileFormatException(file, "num_attention_heads: " + heads + " heads must divide hidden_size " + dim
                    + " and be a multiple of the " + kvHeads + " KV heads");
        }
        int window = type.equals("mistral") && json.hasNonNull("sliding_window") ? positive(file, json, "sliding_window") : 0;
        return new LlamaConfig(family, dim, positive(file, json, "num_hidden_layers"), heads, kvHeads, headDim,
                positive(file, json, "intermediate_size"), positive(file, json, "vocab_size"),
                positive(file, json, "max_position_embeddings"), headDim, (float) json.path("rope_theta").asDouble(10000),
                ropeScale, (float) json.path("rms_norm_eps").asDouble(1e-6), window, true);
    }

    /**
     * Llama 3.1's rope scaling ({@code rope_scaling.rope_type} llama3), as per-frequency divisors of θᵢ = θ^(−2i/d):
     * wavelengths 2π/θᵢ shorter than {@code original_max_position_embeddings / high_freq_factor} are kept (1), longer
     * than {@code original_max_position_embeddings / low_freq_factor} divided by {@code factor}, and those between
     * blended by s = (original / wavelength − low) / (high − low) into 1 / ((1 − s) / factor + s). These are the values
     * llama.cpp's converter writes as {@code rope_freqs.weight}. Null without llama3 scaling.
     */
    static float[] llama3RopeFactors(Path file, JsonNode json, int ropeDims, float theta) throws FileFormatException {
        JsonNode scaling = json.path("rope_scaling");
        if (!scaling.path("rope_type").asText(scaling.path("type").asText("")).equals("llama3")) return null;
        double factor = positiveNumber(file, scaling, "factor"), low = positiveNumber(file, scaling, "low_freq_factor");
        double high = positiveNumber(file, scaling, "high_freq_factor"), original = positiveNumber(file, scaling, "original_max_position_embeddings");
        if (high <= low) {
            throw new FileFormatException(file, "rope_scaling.high_freq_factor: " + high + " must exceed low_freq_factor " + low);
        }
        float[] factors = new float[ropeDims / 2];
        for (int i = 0; i < factors.length; i++) {
            double wavelength = 2 * Math.PI / Math.pow(theta, -2.0 * i / ropeDims);
            if (wavelength < original / high) factors[i] = 1;
            else if (wavelength > original / low) factors[i] = (float) factor;
            else {
                double smooth = (original / wavelength - low) / (high - low);
                factors[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return factors;
    }

    private static double positiveNumber(Path file, JsonNode scaling, String key) throws FileFormatException {
        JsonNode v = scaling.get(key);
        if (v == null || !v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            throw new FileFormatException(file, "rope_scaling." + key + ": " + (v == null ? "missing" : "must be a positive number, got " + v));
        }
        return v.asDouble();
    }

    private static GgufTensor f32(String name, float[] values, Arena arena) {
        MemorySegment data = arena.allocate(4L * values.length);
        var layout = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) data.set(layout, 4L * i, values[i]);
        return new GgufTensor(name, GgmlType.F32, new long[] {values.length}, 0, data);
    }

    /** The vocabulary is the embedding's row count (config.json's vocab_size may be padded differently). */
    private static LlamaConfig withVocab(LlamaConfig c, Map<String, GgufTensor> tensors, Path folder) throws FileFormatException {
        GgufTensor embedding = tensors.get("model.embed_tokens.weight");
        if (embedding == null) throw new FileFormatException(folder, "tensor model.embed_tokens.weight: missing");
        if (embedding.dims() != 2 || embedding.dim(1) > Integer.MAX_VALUE) {
            throw new FileFormatException(folder, "tensor model.embed_tokens.weight: expected shape [vocab, " + c.dim() + "]");
        }
        return new LlamaConfig(c.family(), c.dim(), c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(), (int) embedding.dim(1),
                c.contextLength(), c.ropeDims(), c.ropeTheta(), c.ropeScale(), c.rmsEps(), c.slidingWindow(), c.neoxRope());
    }

    /** Every tensor of model.safetensors or of the shards the index names, each file mapped once. */
    static Map<String, GgufTensor> tensors(Path folder, Arena arena) throws IOException {
        Path index = folder.resolve("model.safetensors.index.json");
        Map<String, String> fileOf = new HashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
            if (!map.isObject()) throw new FileFormatException(index, "weight_map: missing or not an object");
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                String shard = e.getValue().asText();
                if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                    throw new FileFormatException(index, "weight_map." + e.getKey() + ": " + shard + " is not a file of the folder");
                }
                fileOf.put(e.getKey(), shard);
            }
        } else {
            fileOf = null;
        }
        Map<String, GgufTensor> tensors = new HashMap<>();
        Iterable<String> files = fileOf == null ? java.util.List.of("model.safetensors") : new java.util.TreeSet<>(fileOf.values());
        for (String name : files) {
            Path file = folder.resolve(name);
            if (!Files.isRegularFile(file)) throw new FileFormatException(file, "missing" + (fileOf == null ? "" : " (named by " + index.getFileName() + ")"));
            Safetensors.Header header = Safetensors.readHeader(file);
            MemorySegment mapped;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            for (Safetensors.TensorInfo t : header.tensors()) {
                GgmlType type = switch (t.dtype()) {
                    case F32 -> GgmlType.F32;
                    case F16 -> GgmlType.F16;
                    case BF16 -> GgmlType.BF16;
                    default -> throw new FileFormatException(file, "tensor " + t.name() + ": dtype " + t.dtype() + " is not supported (F32, F16, BF16 are)");
                };
                int[] shape = t.shape();
                long[] ggml = new long[shape.length];
                for (int i = 0; i < shape.length; i++) ggml[i] = shape[shape.length - 1 - i];
                long at = header.dataStart() + t.begin();
                tensors.put(t.name(), new GgufTensor(t.name(), type, ggml, at, mapped.asSlice(at, t.end() - t.begin())));
            }
        }
        return tensors;
    }

    /** The Hugging Face name of a GGUF tensor name. */
    static String hfName(String gguf) {
        switch (gguf) {
            case "token_embd.weight": return "model.embed_tokens.weight";
            case "output_norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
            default: break;
        }
        if (!gguf.startsWith("blk.")) return gguf;
        int dot = gguf.indexOf('.', 4);
        String layer = gguf.substring(4, dot), rest = gguf.substring(dot + 1);
        String part = switch (rest.substring(0, rest.lastIndexOf('.'))) {
            case "attn_norm" -> "input_layernorm";
            case "ffn_norm" -> "post_attention_layernorm";
            case "attn_q" -> "self_attn.q_proj";
            case "attn_k" -> "self_attn.k_proj";
            case "attn_v" -> "self_attn.v_proj";
            case "attn_output" -> "self_attn.o_proj";
            case "attn_q_norm" -> "self_attn.q_norm";
            case "attn_k_norm" -> "self_attn.k_norm";
            case "ffn_gate" -> "mlp.gate_proj";
            case "ffn_up" -> "mlp.up_proj";
            case "ffn_down" -> "mlp.down_proj";
            default -> rest.substring(0, rest.lastIndexOf('.'));
        };
        return "model.layers." + layer + "." + part + rest.substring(rest.lastIndexOf('.'));
    }

    private static int positive(Path file, JsonNode json, String key) throws FileFormatException {
        JsonNode v = json.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new FileFormatException(file, key + ": " + (v == null ? "missing" : "must be a positive integer, got " + v));
        }
        return v.asInt();
    }
}
