package gradus.llm;

import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufFile;
import gradus.models.Gpt;
import gradus.models.GptConfig;
import gradus.nn.init.Init;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.text.BpeTokenizer;
import gradus.text.CharTokenizer;
import gradus.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Gradus {@link Gpt} exported by {@link GgufExport}: read back by Gradus's GGUF reader (tokenizer ids and logits of
 * {@link Gpt2} equal the Gpt's), and run by llama.cpp (its tokenizer gives the same ids, its logits agree within 1e-3
 * of their scale at every step, and its greedy tokens equal the Gpt's). Character-level (with multi-byte characters)
 * and byte-level BPE tokenizers. The weights are random at a larger scale than GPT-2's init, so greedy choices are
 * not near-ties. Gradus's Gpt uses the exact (erf) GELU, llama.cpp the tanh approximation through F16: the tolerance.
 */
class GgufExportTest {
    private static final String TEXT = "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money "
            + "in my purse, and nothing particular to interest me on shore… café, naïve.\n";
    private static final String PROMPT = "Some years ago—café… me";
    private static final int STEPS = 24;

    @TempDir
    Path dir;

    private static Gpt randomGpt(int vocab, boolean tied, long seed) {
        Rng.manualSeed(seed);
        Gpt gpt = new Gpt(GptConfig.of(vocab, 64, 2, 4, 64).withTieWeights(tied));
        for (Map.Entry<String, Tensor> e : gpt.stateDict().entrySet()) {
            Tensor t = e.getValue();
            if (t.dim() == 1) Init.normal(t, e.getKey().contains("norm") || e.getKey().startsWith("ln_f") ? 1 : 0, 0.1f);
            else if (e.getKey().contains("emb")) Init.normal(t, 0, 0.5f);
            else Init.normal(t, 0, (float) (1 / Math.sqrt(t.size(1))));
        }
        gpt.eval();
        return gpt;
    }

    /** The Gpt's logits at every position of {@code ids}. */
    private static float[][] logits(Gpt gpt, int[] ids) {
        float[] all = gpt.forward(IntTensor.of(ids, 1, ids.length)).toArray();
        int v = all.length / ids.length;
        float[][] rows = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) rows[i] = Arrays.copyOfRange(all, i * v, (i + 1) * v);
        return rows;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private Path export(Gpt gpt, Tokenizer tokenizer, GgmlType type) throws Exception {
        Path file = dir.resolve("gpt-" + type + "-" + System.nanoTime() + ".gguf");
        GgufExport.write(gpt, tokenizer, "gradus-test", type, file);
        return file;
    }

    /** Gradus reads the file back: the same ids for the prompt, and Gpt2's logits equal the Gpt's at every position. */
    private static double roundTrip(Path file, Gpt gpt, Tokenizer tokenizer) throws Exception {
        int[] ids = tokenizer.encode(PROMPT);
        try (GgufLanguageModel model = GgufLanguageModel.open(file)) {
            assertArrayEquals(ids, model.tokenizer().encode(PROMPT), "GGUF tokenizer vs the Gpt's");
            assertEquals(PROMPT, model.tokenizer().decode(ids));
            DecoderModel decoder = model.decoder();
            assertTrue(decoder instanceof Gpt2, decoder.getClass().getName());
            float[][] expected = logits(gpt, ids);
            DecoderModel.Sequence s = decoder.newSequence(ids.length);
            double worst = 0;
            for (int i = 0; i < ids.length; i++) worst = Math.max(worst, LlamaVsLlamaCppTest.relativeError(decoder.forward(s, ids[i]), expected[i]));
            return worst;
        }
    }

    private static CharTokenizer chars() {
        return CharTokenizer.train(List.of(TEXT));
    }

    private static BpeTokenizer bpe() {
        return BpeTokenizer.train(List.of(TEXT, TEXT.toUpperCase()), 300, 2, List.of());
    }

    @Test
    void charAndBpeModelsReadBackThroughGradus() throws Exception {
        for (Tokenizer t : List.<Tokenizer>of(chars(), bpe())) {
            Gpt gpt = randomGpt(t.vocabSize(), true, 1);
            double f32 = roundTrip(export(gpt, t, GgmlType.F32), gpt, t);
            assertTrue(f32 <= 1e-3, t.getClass().getSimpleName() + " F32 logits differ by " + f32);
            double f16 = roundTrip(export(gpt, t, GgmlType.F16), gpt, t);
            assertTrue(f16 <= 2e-2, t.getClass().getSimpleName() + " F16 logits differ by " + f16);
            System.out.printf("%s: Gradus GGUF vs Gpt, worst relative logit difference F32 %.2e, F16 %.2e%n", t.getClass().getSimpleName(), f32, f16);
        }
        Gpt untied = randomGpt(chars().vocabSize(), false, 2);
        Path file = export(untied, chars(), GgmlType.F32);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertTrue(gguf.tensors().containsKey("output.weight"));
            assertEquals(0, gguf.tensor("token_embd.weight").fileOffset() % 32, "tensor data aligned to 32 bytes");
        }
        assertTrue(roundTrip(file, untied, chars()) <= 1e-3);
    }

    @Test
    void refusesWhatGpt2CannotHold() throws Exception {
        CharTokenizer t = chars();
        Gpt rotary = new Gpt(GptConfig.of(t.vocabSize(), 16, 1, 2, 8).withPositional(GptConfig.Positional.ROTARY));
        var e = assertThrows(IllegalArgumentException.class, () -> export(rotary, t, GgmlType.F32));
        assertTrue(e.getMessage().contains("rotary"), e.getMessage());
        Gpt wrongVocab = new Gpt(GptConfig.of(t.vocabSize() + 1, 16, 1, 2, 8));
        e = assertThrows(IllegalArgumentException.class, () -> export(wrongVocab, t, GgmlType.F32));
        assertTrue(e.getMessage().contains("vocab_size is " + (t.vocabSize() + 1)), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing written");
        }
    }

    @Test
    void llamaCppRunsTheExportAsGradusDoes() throws Exception {
        LlamaCpp.assumeInstalled();
        for (Tokenizer t : List.<Tokenizer>of(chars(), bpe())) {
            String kind = t.getClass().getSimpleName();
            Gpt gpt = randomGpt(t.vocabSize(), true, 3);
            Path file = export(gpt, t, GgmlType.F32);
            int[] prompt = t.encode(PROMPT);
            assertArrayEquals(prompt, LlamaCpp.tokenize(file, List.of(PROMPT))[0], kind + ": llama.cpp's ids vs Gradus's");
            LlamaCpp.Answer reference = LlamaCpp.greedy(file, prompt, STEPS, 2);
            int[] ids = Arrays.copyOf(prompt, prompt.length + STEPS);
            int[] greedy = new int[STEPS];
            double worst = 0;
            for (int step = 0; step < STEPS; step++) {
                int n = prompt.length + step;
                float[] last = logits(gpt, Arrays.copyOf(ids, n))[n - 1];
                double error = LlamaVsLlamaCppTest.relativeError(last, reference.logProbs()[step]);
                worst = Math.max(worst, error);
                assertTrue(error <= 1e-3, kind + " step " + step + ": logits differ by " + error);
                greedy[step] = argmax(last);
                ids[n] = greedy[step];
            }
            assertArrayEquals(greedy, reference.tokens(), kind + ": greedy tokens");
            System.out.printf("%s: llama.cpp vs Gradus Gpt, worst relative logit difference %.2e over %d greedy steps (equal)%n", kind, worst, STEPS);
        }
    }
}
