package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /**
     * Llama 3.1's rope scaling read from config.json ({@code rope_scaling.rope_type} llama3): the folder must give the
     * logits and greedy tokens of llama.cpp on the same weights with the per-frequency divisors in {@code rope_freqs.weight},
     * where llama.cpp's converter puts them. The configuration (θ 500 000, 16 frequencies, original context 64, factors
     * 8 / 1 / 4) has frequencies in all three bands: kept, blended, divided; the positions reach past the original 64.
     * The same folder without rope_scaling must be far from llama.cpp's answer, so the check can fail.
     */
    @Test
    void llama3RopeScalingFromConfigJsonGivesLlamaCppsLogits() throws Exception {
        LlamaCpp.assumeInstalled();
        RandomLlama shape = new RandomLlama(256, 2, 8, 4, 512, 1024, 512, 500000f);
        Path plain = dir.resolve("plain.gguf"), scaled = dir.resolve("scaled.gguf"), folder = dir.resolve("llama31");
        shape.write(plain, GgmlType.F32, 47, LlamaConfig.Family.LLAMA, 0, 32);
        writeFolder(plain, folder, "llama", shape, 32, 0, false);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(folder.resolve("config.json").toFile());
        String plainConfig = json.writeValueAsString(config);
        config.set("rope_scaling", json.readTree("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, "
                + "\"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 64}"));
        json.writeValue(folder.resolve("config.json").toFile(), config);
        float[] factors = HfCheckpoint.llama3RopeFactors(folder.resolve("config.json"), config, 32, 500000f);
        assertEquals(16, factors.length);
        assertEquals(1f, factors[0]);
        assertEquals(1f, factors[1]); // wavelength 2π·θ^(2/32) ≈ 14.3 < 64/4
        assertTrue(factors[2] > 1 && factors[2] < 8, "blended: " + factors[2]); // ≈ 32.4, between 16 and 64
        for (int i = 3; i < 16; i++) assertEquals(8f, factors[i], "wavelength above 64: divided by the factor");
        shape.write(scaled, GgmlType.F32, 47, factors);

        int steps = 56;
        LlamaCpp.Answer reference = LlamaCpp.greedy(scaled, TOKENS, steps, 2);
        try (Llama model = HfCheckpoint.open(folder)) {
            assertArrayEquals(reference.tokens(), Greedy.generate(model, TOKENS, steps, null), "greedy tokens");
            double worst = worstError(model, reference, steps);
            System.out.printf("llama3 rope scaling from config.json vs llama.cpp: logits relative error ≤ %.2e over %d steps%n", worst, steps);
            assertTrue(worst <= 1e-4, "logits differ by " + worst);
        }
        java.nio.file.Files.writeString(folder.resolve("config.json"), plainConfig);
        try (Llama unscaled = HfCheckpoint.open(folder)) {
            double worst = worstError(unscaled, reference, steps);
            assertTrue(worst > 1e-2, "without rope_scaling the logits should differ, by " + worst);
        }
    }

    /** The largest relative logit error against llama.cpp along its own greedy tokens. */
    private static double worstError(Llama model, LlamaCpp.Answer reference, int steps) {
        Llama.Session s = model.newSession(TOKENS.length + steps);
        float[] logits = null;
        for (int t : TOKENS) logits = model.forward(s, t);
        double worst = 0;
        for (int step = 0; step < steps; step++) {
            worst = Math.max(worst, LlamaVsLlamaCppTest.relativeError(logits, reference.logProbs()[step]));
            logits = model.forward(s, reference.tokens()[step]);
        }
        return worst;
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
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8}}");
        e = assertThrows(FileFormatException.class, () -> HfCheckpoint.llama3RopeFactors(folder.resolve("config.json"),
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(folder.resolve("config.json").toFile()), 32, 10000f));
        assertTrue(e.getMessage().contains("rope_scaling.low_freq_factor: missing"), e.getMessage());
    }

    private static void writeFolder(Path gguf, Path folder, String modelType, RandomLlama s, int headDim, int window, boolean sharded)
            throws IOException {
        HfFolder.write(gguf, folder, modelType, s, headDim, window, sharded);
    }
}
