package gradus.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.files.FileFormatException;
import gradus.io.Safetensors;
import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same random model as a GGUF file (which llama.cpp's tests check) and as a Hugging Face folder, written here
 * the way transformers lays it out: PyTorch names, [out, in] weights, and for Llama/Mistral q and k rows in the
 * rotate-halves order that GGUF's converter permutes away. Both must give the same logits.
 */
class HfCheckpointTest {
    private static final int[] TOKENS = {1, 300, 301, 500, 42, 77, 900, 1000, 17, 3, 12, 600, 601, 333, 4, 999};

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral", "qwen2", "qwen3"})
    void aFolderGivesTheLogitsOfTheSameModelInGguf(String modelType) throws Exception {
        LlamaConfig.Family family = switch (modelType) {
            case "qwen2" -> LlamaConfig.Family.QWEN2;
            case "qwen3" -> LlamaConfig.Family.QWEN3;
            default -> LlamaConfig.Family.LLAMA;
        };
        int window = modelType.equals("mistral") ? 5 : 0, headDim = modelType.equals("qwen3") ? 64 : 32;
        RandomLlama shape = new RandomLlama(256, 2, 8, 4, 512, 1024, 64, 10000f);
        Path gguf = dir.resolve(modelType + ".gguf"), folder = dir.resolve(modelType);
        shape.write(gguf, GgmlType.F32, 41, family, window, headDim);
        writeFolder(gguf, folder, modelType, shape, headDim, window, !modelType.equals("llama"));
        try (Llama a = Llama.open(gguf); Llama b = HfCheckpoint.open(folder)) {
            Llama.Session sa = a.newSession(TOKENS.length), sb = b.newSession(TOKENS.length);
            double worst = 0;
            for (int t : TOKENS) worst = Math.max(worst, LlamaVsLlamaCppTest.relativeError(b.forward(sb, t), a.forward(sa, t)));
            System.out.printf("%s folder vs GGUF: logits relative error ≤ %.2e%n", modelType, worst);
            assertTrue(worst <= 1e-5, modelType + ": logits differ by " + worst);
        }
    }

    /**
     * LanguageModel.open on a folder: tokenizer.json (a word-level vocabulary here), the chat template of
     * tokenizer_config.json, generation_config.json's EOS list as stop tokens, and greedy completion equal to
     * the GGUF model's greedy tokens up to the first stop.
     */
    @Test
    void aFolderOpensAsALanguageModelWithItsTokenizerTemplateAndEos() throws Exception {
        RandomLlama shape = new RandomLlama(256, 2, 8, 4, 512, 1024, 64, 10000f);
        Path gguf = dir.resolve("lm.gguf"), folder = dir.resolve("lm");
        shape.write(gguf, GgmlType.F32, 43, LlamaConfig.Family.LLAMA, 0, 32);
        writeFolder(gguf, folder, "llama", shape, 32, 0, false);
        StringBuilder vocab = new StringBuilder("{\"<unk>\": 0, \"<s>\": 1, \"</s>\": 2");
        for (int i = 3; i < 300; i++) vocab.append(", \"w").append(i).append("\": ").append(i);
        Files.writeString(folder.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordLevel\", \"unk_token\": \"<unk>\", \"vocab\": "
                + vocab + "}}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}");
        Files.writeString(folder.resolve("tokenizer_config.json"),
                "{\"chat_template\": \"{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}|{% endfor %}\"}");
        int[] prompt = {1, 10, 20, 30};
        int[] greedy;
        try (Llama model = Llama.open(gguf)) {
            greedy = Greedy.generate(model, prompt, 8, null);
        }
        Files.writeString(folder.resolve("generation_config.json"), "{\"eos_token_id\": [2, " + greedy[5] + "]}");
        try (LanguageModel model = LanguageModel.open(folder)) {
            assertArrayEquals(new int[] {5, 6, 0}, model.tokenizer().encode("w5 w6 zz", false).ids());
            assertEquals("user: w5|", model.chatTemplate().render(java.util.List.of(new gradus.text.ChatTemplate.Message("user", "w5")), false));
            assertTrue(java.util.Arrays.stream(model.stopTokens()).anyMatch(t -> t == greedy[5]), "generation_config's EOS stops");
            var done = model.complete(prompt, gradus.models.GenerationConfig.builder().greedy(true).maxNewTokens(8).build(), t -> true);
            int firstStop = 0;
            while (firstStop < 8 && greedy[firstStop] != greedy[5] && greedy[firstStop] != 2) firstStop++;
            assertArrayEquals(java.util.Arrays.copyOf(greedy, firstStop), done.tokens());
            assertEquals("stop", done.finishReason());
        }
    }

    @Test
    void unsupportedConfigurationsFailNamingTheKey() throws IOException {
        Path folder = dir.resolve("bad");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"gemma\"}");
        FileFormatException e = assertThrows(FileFormatException.class, () -> HfCheckpoint.open(folder));
        assertTrue(e.getMessage().contains("model_type: gemma is not supported"), e.getMessage());
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"yarn\"}}");
        e = assertThrows(FileFormatException.class, () -> HfCheckpoint.open(folder));
        assertTrue(e.getMessage().contains("rope_scaling: type yarn is not supported"), e.getMessage());
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 0}");
        e = assertThrows(FileFormatException.class, () -> HfCheckpoint.open(folder));
        assertTrue(e.getMessage().contains("hidden_size: must be a positive integer"), e.getMessage());
    }

    /** The GGUF model's tensors under transformers' names, sharded in two when {@code sharded}. */
    private static void writeFolder(Path gguf, Path folder, String modelType, RandomLlama s, int headDim, int window, boolean sharded)
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
