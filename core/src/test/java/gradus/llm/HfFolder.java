package gradus.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.io.Safetensors;
import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A random GGUF model written again as a Hugging Face folder, the way transformers lays it out: config.json, PyTorch
 * names, [out, in] weights, and for Llama/Mistral q and k rows in the rotate-halves order that GGUF's converter
 * permutes away (HfCheckpointTest, and the serving tests in serve/).
 */
public final class HfFolder {
    private HfFolder() {}

    /** The GGUF model's tensors under transformers' names, sharded in two when {@code sharded}. */
    public static void write(Path gguf, Path folder, String modelType, RandomLlama s, int headDim, int window, boolean sharded)
            throws IOException {
        Files.createDirectories(folder);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", modelType);
        config.put("hidden_size", s.dim());
        config.put("num_hidden_layers", s.layers());
        config.put("num_attention_heads", s.heads());
        config.put("num_key_value_heads", s.kvHeads());
        config.put("head_dim", headDim);
        config.put("intermediate_size", s.ffnDim());
        config.put("vocab_size", s.vocab());
        config.put("max_position_embeddings", s.contextLength());
        config.put("rope_theta", s.ropeTheta());
        config.put("rms_norm_eps", 1e-5);
        config.put("hidden_act", "silu");
        config.put("tie_word_embeddings", false);
        if (window > 0) config.put("sliding_window", window);
        new ObjectMapper().writeValue(folder.resolve("config.json").toFile(), config);

        Map<String, Safetensors.Raw> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        boolean permuted = modelType.equals("llama") || modelType.equals("mistral");
        try (GgufFile file = GgufFile.open(gguf)) {
            for (GgufTensor t : file.tensors().values()) {
                float[] v = new float[(int) t.elements()];
                GgmlQuantization.decode(t.type(), t.data(), 0, v.length, v, 0);
                if (permuted && (t.name().endsWith("attn_q.weight") || t.name().endsWith("attn_k.weight"))) v = halvesOrder(v, (int) t.dim(0), headDim);
                int[] shape = new int[t.dims()];
                for (int i = 0; i < shape.length; i++) shape[i] = (int) t.dim(shape.length - 1 - i);
                String name = HfCheckpoint.hfName(t.name());
                boolean late = sharded && name.startsWith("model.layers.1.");
                (late ? second : first).put(name, Safetensors.Raw.of(v, shape));
                weightMap.put(name, late ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors");
            }
        }
        if (!sharded) {
            Safetensors.writeRaw(folder.resolve("model.safetensors"), first, Map.of());
            return;
        }
        Safetensors.writeRaw(folder.resolve("model-00001-of-00002.safetensors"), first, Map.of());
        Safetensors.writeRaw(folder.resolve("model-00002-of-00002.safetensors"), second, Map.of());
        new ObjectMapper().writeValue(folder.resolve("model.safetensors.index.json").toFile(), Map.of("weight_map", weightMap));
    }

    /** Undoes llama.cpp's convert permutation: GGUF row h·hd + 2i + j holds transformers' row h·hd + j·hd/2 + i. */
    private static float[] halvesOrder(float[] rows, int cols, int headDim) {
        float[] out = new float[rows.length];
        int n = rows.length / cols;
        for (int r = 0; r < n; r++) {
            int h = r / headDim, i = r % headDim / 2, j = r % 2;
            System.arraycopy(rows, r * cols, out, (h * headDim + j * headDim / 2 + i) * cols, cols);
        }
        return out;
    }
}
