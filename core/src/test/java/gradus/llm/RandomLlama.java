package gradus.llm;

import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufArray;
import gradus.io.gguf.GgufValueType;
import gradus.io.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes Llama-shaped GGUF models with seeded random weights, for tests against llama.cpp: each matrix is
 * Gaussian with standard deviation 1/√fan_in (activations keep their scale through the layers), the output
 * projection 2/√dim (logits spread over a few units, so the greedy choice is not a near tie), and norms
 * near 1. The vocabulary is SentencePiece-style ("llama"): {@code <unk> <s> </s>}, the 256 byte tokens
 * llama.cpp looks up, then distinct word pieces with descending scores.
 */
public record RandomLlama(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocab, int contextLength, float ropeTheta) {
    public static RandomLlama small() {
        return new RandomLlama(256, 4, 8, 4, 768, 1024, 512, 10000f);
    }

    /** How positions are rotated: plain rope, Llama-3's per-frequency divisors ({@code rope_freqs.weight}), or linear scaling. */
    public enum Rope { PLAIN, FREQUENCY_FACTORS, LINEAR }

    /** Writes the model with every matrix (embeddings included) in {@code type}; norms stay F32 as llama.cpp keeps them. */
    public void write(Path file, GgmlType type, long seed) throws IOException {
        write(file, type, seed, Rope.PLAIN);
    }

    public void write(Path file, GgmlType type, long seed, Rope rope) throws IOException {
        write(file, type, seed, rope, this::vocabulary);
    }

    /** The model with another tokenizer's {@code tokenizer.*} metadata ({@link #vocab} must be its token count). */
    public void write(Path file, GgmlType type, long seed, Rope rope, java.util.function.Consumer<GgufWriter> tokenizer) throws IOException {
        write(file, type, seed, rope, tokenizer, LlamaConfig.Family.LLAMA, 0, dim / heads, null);
    }

    /**
     * Another family of the Llama shape (Qwen2 with random q/k/v biases, Qwen3 with q/k norms near 1), a sliding
     * window ({@code llama.attention.sliding_window}; 0 for none) and a head size of its own (written as
     * {@code attention.key_length} when it is not dim/heads).
     */
    public void write(Path file, GgmlType type, long seed, LlamaConfig.Family family, int window, int headDim) throws IOException {
        write(file, type, seed, Rope.PLAIN, this::vocabulary, family, window, headDim, null);
    }

    /** The model with these per-frequency rope divisors as {@code rope_freqs.weight} (the same weights as without). */
    public void write(Path file, GgmlType type, long seed, float[] ropeFactors) throws IOException {
        write(file, type, seed, Rope.FREQUENCY_FACTORS, this::vocabulary, LlamaConfig.Family.LLAMA, 0, dim / heads, ropeFactors);
    }

    private void write(Path file, GgmlType type, long seed, Rope rope, java.util.function.Consumer<GgufWriter> tokenizer,
                       LlamaConfig.Family family, int window, int headDim, float[] ropeFactors) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        String a = family.arch() + ".";
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", family.arch())
                .putString("general.name", "gradus-random-" + family.arch())
                .putUint32(a + "context_length", contextLength)
                .putUint32(a + "embedding_length", dim)
                .putUint32(a + "block_count", layers)
                .putUint32(a + "feed_forward_length", ffnDim)
                .putUint32(a + "attention.head_count", heads)
                .putUint32(a + "attention.head_count_kv", kvHeads)
                .putUint32(a + "rope.dimension_count", headDim)
                .putFloat32(a + "rope.freq_base", ropeTheta)
                .putFloat32(a + "attention.layer_norm_rms_epsilon", 1e-5f);
        if (headDim != dim / heads) w.putUint32(a + "attention.key_length", headDim).putUint32(a + "attention.value_length", headDim);
        if (window > 0) w.putUint32(a + "attention.sliding_window", window);
        if (rope == Rope.LINEAR) w.putString("llama.rope.scaling.type", "linear").putFloat32("llama.rope.scaling.factor", 4f);
        tokenizer.accept(w);
        int kvDim = kvHeads * headDim, qDim = heads * headDim;
        w.addTensor("token_embd.weight", type, new long[] {dim, vocab}, gaussian(random, dim * vocab, 1f));
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            w.addTensor(b + "attn_norm.weight", GgmlType.F32, new long[] {dim}, nearOne(random, dim));
            matrix(w, b + "attn_q.weight", type, qDim, dim, random);
            matrix(w, b + "attn_k.weight", type, kvDim, dim, random);
            matrix(w, b + "attn_v.weight", type, kvDim, dim, random);
            if (family.qkvBias()) {
                w.addTensor(b + "attn_q.bias", GgmlType.F32, new long[] {qDim}, gaussian(random, qDim, 0.5f));
                w.addTensor(b + "attn_k.bias", GgmlType.F32, new long[] {kvDim}, gaussian(random, kvDim, 0.5f));
                w.addTensor(b + "attn_v.bias", GgmlType.F32, new long[] {kvDim}, gaussian(random, kvDim, 0.5f));
            }
            if (family.qkNorm()) {
                w.addTensor(b + "attn_q_norm.weight", GgmlType.F32, new long[] {headDim}, nearOne(random, headDim));
                w.addTensor(b + "attn_k_norm.weight", GgmlType.F32, new long[] {headDim}, nearOne(random, headDim));
            }
            matrix(w, b + "attn_output.weight", type, dim, qDim, random);
            w.addTensor(b + "ffn_norm.weight", GgmlType.F32, new long[] {dim}, nearOne(random, dim));
            matrix(w, b + "ffn_gate.weight", type, ffnDim, dim, random);
            matrix(w, b + "ffn_up.weight", type, ffnDim, dim, random);
            matrix(w, b + "ffn_down.weight", type, dim, ffnDim, random);
        }
        if (rope == Rope.FREQUENCY_FACTORS) { // Llama-3's shape: high frequencies kept (1), low ones divided by 8
            int n = dim / heads / 2;
            float[] factors = ropeFactors != null ? ropeFactors : new float[n];
            if (ropeFactors == null) for (int i = 0; i < n; i++) factors[i] = 1 + 7f * i / (n - 1);
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {n}, factors);
        }
        w.addTensor("output_norm.weight", GgmlType.F32, new long[] {dim}, nearOne(random, dim));
        w.addTensor("output.weight", type, new long[] {dim, vocab}, gaussian(random, dim * vocab, (float) (2 / Math.sqrt(dim))));
        w.write(file);
    }

    private void vocabulary(GgufWriter w) {
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        long[] types = new long[vocab];
        String[] special = {"<unk>", "<s>", "</s>"};
        for (int i = 0; i < vocab; i++) {
            if (i < 3) {
                tokens[i] = special[i];
                types[i] = i == 0 ? 2 : 3; // unknown, control
            } else if (i < 3 + 256) {
                tokens[i] = String.format("<0x%02X>", i - 3);
                types[i] = 6; // byte
            } else {
                tokens[i] = "\u2581" + piece(i - 259);
                types[i] = 1; // normal
                scores[i] = -(i - 259);
            }
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, tokens))
                .putArray("tokenizer.ggml.scores", new GgufArray(GgufValueType.FLOAT32, scores))
                .putArray("tokenizer.ggml.token_type", new GgufArray(GgufValueType.INT32, types))
                .putUint32("tokenizer.ggml.bos_token_id", 1)
                .putUint32("tokenizer.ggml.eos_token_id", 2)
                .putUint32("tokenizer.ggml.unknown_token_id", 0);
    }

    /** A distinct lower-case word for each n: base-26 digits. */
    private static String piece(int n) {
        StringBuilder s = new StringBuilder();
        do {
            s.append((char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return s.toString();
    }

    private static void matrix(GgufWriter w, String name, GgmlType type, int rows, int cols, SplittableRandom random) {
        w.addTensor(name, type, new long[] {cols, rows}, gaussian(random, rows * cols, (float) (1 / Math.sqrt(cols))));
    }

    private static float[] gaussian(SplittableRandom random, int n, float std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (nextGaussian(random) * std);
        return v;
    }

    private static float[] nearOne(SplittableRandom random, int n) {
        float[] v = gaussian(random, n, 0.1f);
        for (int i = 0; i < n; i++) v[i] += 1;
        return v;
    }

    private static double nextGaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
