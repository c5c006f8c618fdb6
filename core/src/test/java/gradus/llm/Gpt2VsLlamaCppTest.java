package gradus.llm;

import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufWriter;
import gradus.models.GenerationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A random GPT-2-architecture model (width 128, 2 layers, 4 heads, feed-forward 512, tied embeddings, GPT-2's real
 * 50 257-token vocabulary) in F32, run by Gradus and by llama.cpp: a tokenized text prompt, 32 greedy steps. Logits
 * (centred, as llama.cpp reports log-probabilities) must agree within 1e-4 of their scale at every step with Gradus
 * fed llama.cpp's tokens, and the free-running greedy tokens must be identical. Measured: 3.1e-5 with GELU through
 * llama.cpp's F16 table (as {@link Gpt2} does); 2.1e-4 at the first step with an exact F32 GELU.
 */
class Gpt2VsLlamaCppTest {
    private static final int DIM = 128, LAYERS = 2, HEADS = 4, FFN = 512, CONTEXT = 256, STEPS = 32;

    @TempDir
    Path dir;

    static void write(Path file, RealVocabulary vocabulary, long seed) throws java.io.IOException {
        SplittableRandom random = new SplittableRandom(seed);
        GgufWriter w = new GgufWriter().putString("general.architecture", "gpt2").putString("general.name", "gradus-random-gpt2")
                .putUint32("gpt2.context_length", CONTEXT).putUint32("gpt2.embedding_length", DIM).putUint32("gpt2.block_count", LAYERS)
                .putUint32("gpt2.feed_forward_length", FFN).putUint32("gpt2.attention.head_count", HEADS)
                .putFloat32("gpt2.attention.layer_norm_epsilon", 1e-5f);
        vocabulary.writeTo(w);
        int n = vocabulary.size();
        w.addTensor("token_embd.weight", GgmlType.F32, new long[] {DIM, n}, gaussian(random, DIM * n, 0.5f, 0));
        w.addTensor("position_embd.weight", GgmlType.F32, new long[] {DIM, CONTEXT}, gaussian(random, DIM * CONTEXT, 0.5f, 0));
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            norm(w, b + "attn_norm", random);
            linear(w, b + "attn_qkv", 3 * DIM, DIM, random);
            linear(w, b + "attn_output", DIM, DIM, random);
            norm(w, b + "ffn_norm", random);
            linear(w, b + "ffn_up", FFN, DIM, random);
            linear(w, b + "ffn_down", DIM, FFN, random);
        }
        norm(w, "output_norm", random);
        w.write(file);
    }

    private static void norm(GgufWriter w, String name, SplittableRandom random) {
        w.addTensor(name + ".weight", GgmlType.F32, new long[] {DIM}, gaussian(random, DIM, 0.1f, 1));
        w.addTensor(name + ".bias", GgmlType.F32, new long[] {DIM}, gaussian(random, DIM, 0.1f, 0));
    }

    private static void linear(GgufWriter w, String name, int rows, int cols, SplittableRandom random) {
        w.addTensor(name + ".weight", GgmlType.F32, new long[] {cols, rows}, gaussian(random, rows * cols, (float) (1 / Math.sqrt(cols)), 0));
        w.addTensor(name + ".bias", GgmlType.F32, new long[] {rows}, gaussian(random, rows, 0.1f, 0));
    }

    private static float[] gaussian(SplittableRandom random, int n, float std, float mean) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = mean + (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()) * std);
        }
        return v;
    }

    @Test
    void logitsAndGreedyTokensMatchLlamaCpp() throws Exception {
        LlamaCpp.assumeInstalled();
        Path file = dir.resolve("random-gpt2.gguf");
        write(file, RealVocabulary.read("gpt2"), 5);
        String summary = GgufSummary.describe(file);
        assertTrue(summary.contains("gpt2: width 128, 2 layers, 4 heads, feed-forward 512, vocabulary 50257, context 256, tied embeddings"), summary);
        try (GgufLanguageModel model = GgufLanguageModel.open(file)) {
            int[] prompt = model.tokenizer().encode("Call me Ishmael. Some years ago", true).ids();
            LlamaCpp.Answer reference = LlamaCpp.greedy(file, prompt, STEPS, 2);
            DecoderModel gpt2 = model.decoder();
            assertTrue(gpt2 instanceof Gpt2, gpt2.getClass().getName());
            DecoderModel.Sequence s = gpt2.newSequence(prompt.length + STEPS);
            float[] logits = null;
            for (int t : prompt) logits = gpt2.forward(s, t);
            double worst = 0;
            for (int step = 0; step < STEPS; step++) {
                double error = LlamaVsLlamaCppTest.relativeError(logits, reference.logProbs()[step]);
                worst = Math.max(worst, error);
                assertTrue(error <= 1e-4, "step " + step + ": logits differ by " + error);
                logits = gpt2.forward(s, reference.tokens()[step]);
            }
            System.out.printf("GPT-2 F32: worst relative logit difference %.2e over %d steps%n", worst, STEPS);
            var completion = model.complete(prompt, GenerationConfig.builder().greedy(true).maxNewTokens(STEPS).build(), t -> true);
            int stop = 0;
            while (stop < STEPS && reference.tokens()[stop] != model.tokenizer().eosId()) stop++;
            assertArrayEquals(java.util.Arrays.copyOf(reference.tokens(), stop), completion.tokens());
            assertEquals(STEPS, stop, "the random model reached <|endoftext|>; pick another seed");
        }
    }
}
