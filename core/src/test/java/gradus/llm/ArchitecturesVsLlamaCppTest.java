package gradus.llm;

import gradus.io.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qwen2 (q/k/v biases), Qwen3 (per-head q/k RMSNorm, a head size of 64 over a width of 256) and Mistral's sliding
 * window against llama.cpp, on random F32 models of {@link RandomLlama#small()}'s shape. Logits as in
 * {@link LlamaVsLlamaCppTest}: max |Δ| of the centred logits relative to llama.cpp's largest, bound 1e-4.
 */
class ArchitecturesVsLlamaCppTest {
    private static final int[] PROMPT = {1, 300, 301, 500, 42, 77, 900, 1000, 17, 3};
    private static final int STEPS = 64;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = LlamaConfig.Family.class, names = {"QWEN2", "QWEN3"})
    void qwenLogitsAndGreedyTokensMatchLlamaCpp(LlamaConfig.Family family) throws Exception {
        LlamaCpp.assumeInstalled();
        Path file = dir.resolve(family + ".gguf");
        int headDim = family == LlamaConfig.Family.QWEN3 ? 64 : 32;
        RandomLlama.small().write(file, GgmlType.F32, 21, family, 0, headDim);
        LlamaCpp.Answer reference = LlamaCpp.greedy(file, PROMPT, STEPS, 2);
        try (Llama model = Llama.open(file)) {
            assertEquals(family, model.config().family());
            assertArrayEquals(reference.tokens(), Greedy.generate(model, PROMPT, STEPS, null), family + ": greedy tokens");
            Llama.Session s = model.newSession(PROMPT.length + STEPS);
            float[] logits = null;
            for (int t : PROMPT) logits = model.forward(s, t);
            double worst = 0;
            for (int step = 0; step < STEPS; step++) {
                double error = LlamaVsLlamaCppTest.relativeError(logits, reference.logProbs()[step]);
                worst = Math.max(worst, error);
                assertTrue(error <= 1e-4, family + " step " + step + ": logits differ by " + error);
                logits = model.forward(s, reference.tokens()[step]);
            }
            System.out.printf("%s: logits relative error ≤ %.2e over %d steps, greedy tokens equal%n", family, worst, STEPS);
        }
    }

    /**
     * With one layer, a token's output depends only on the inputs of the positions it attends to, and rotary
     * attention only on their distances: so the logits at position p under a window of W equal llama.cpp's for the
     * W tokens ending at p, fed from position 0. Positions past 2W also send the ring cache round more than once.
     */
    @Test
    void slidingWindowMatchesLlamaCppOnTheWindowedSuffix() throws Exception {
        LlamaCpp.assumeInstalled();
        int window = 6;
        RandomLlama shape = new RandomLlama(256, 1, 8, 4, 768, 1024, 512, 10000f);
        Path windowed = dir.resolve("mistral.gguf"), full = dir.resolve("full.gguf");
        shape.write(windowed, GgmlType.F32, 31, LlamaConfig.Family.LLAMA, window, 32);
        shape.write(full, GgmlType.F32, 31, LlamaConfig.Family.LLAMA, 0, 32);
        int[] tokens = new int[20];
        for (int i = 0; i < tokens.length; i++) tokens[i] = 260 + 37 * i % 700;
        try (Llama model = Llama.open(windowed); Llama plain = Llama.open(full)) {
            assertEquals(window, model.config().slidingWindow());
            Llama.Session s = model.newSession(tokens.length), p = plain.newSession(tokens.length);
            double worst = 0;
            for (int pos = 0; pos < tokens.length; pos++) {
                float[] logits = model.forward(s, tokens[pos]);
                float[] unwindowed = plain.forward(p, tokens[pos]);
                if (pos != 3 && pos != window - 1 && pos != window + 2 && pos != 2 * window + 1 && pos != tokens.length - 1) continue;
                int[] suffix = Arrays.copyOfRange(tokens, Math.max(0, pos - window + 1), pos + 1);
                float[] reference = LlamaCpp.greedy(full, suffix, 1, 2).logProbs()[0];
                double error = LlamaVsLlamaCppTest.relativeError(logits, reference);
                worst = Math.max(worst, error);
                assertTrue(error <= 1e-4, "position " + pos + ": logits differ by " + error);
                double windowEffect = LlamaVsLlamaCppTest.relativeError(logits, unwindowed);
                if (pos >= window) assertTrue(windowEffect > 1e-2, "position " + pos + ": the window changed the logits by only " + windowEffect);
                else assertEquals(0, windowEffect, 1e-6, "position " + pos + " is inside the window");
            }
            System.out.printf("sliding window %d: logits relative error ≤ %.2e against llama.cpp on the windowed suffix%n", window, worst);
        }
    }
}
