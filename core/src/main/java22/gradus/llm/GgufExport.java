package gradus.llm;

import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufArray;
import gradus.io.gguf.GgufValueType;
import gradus.io.gguf.GgufWriter;
import gradus.models.Gpt;
import gradus.models.GptConfig;
import gradus.nn.SinusoidalPositionalEncoding;
import gradus.tensor.Tensor;
import gradus.text.GgufVocabulary;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a Gradus {@link Gpt} and its tokenizer as a GGUF v3 file of llama.cpp's "gpt2" architecture, which
 * llama.cpp and {@link GgufLanguageModel} run: tok_emb → token_embd, pos_emb → position_embd (a sinusoidal table
 * is written as learned positions; rotary has no gpt2 form and is refused), each block's q/k/v projections fused
 * into attn_qkv, norm1/norm2 → attn_norm/ffn_norm, linear1/linear2 → ffn_up/ffn_down, ln_f → output_norm, and
 * lm_head → output (absent when tied). The weight matrices are written as {@code matrixType} (F32 or F16);
 * norms, biases and positions stay F32. The vocabulary is {@link GgufVocabulary}'s byte-level form.
 */
public final class GgufExport {
    private GgufExport() {}

    public static void write(Gpt gpt, Tokenizer tokenizer, String name, GgmlType matrixType, Path out) throws IOException {
        if (matrixType != GgmlType.F32 && matrixType != GgmlType.F16) {
            throw new IllegalArgumentException("GGUF export writes F32 or F16 weights, got " + matrixType);
        }
        GptConfig c = gpt.gptConfig();
        if (c.positional() == GptConfig.Positional.ROTARY) {
            throw new IllegalArgumentException("GGUF export: a Gpt with rotary positions has no llama.cpp gpt2 form (learned or sinusoidal positions are)");
        }
        if (tokenizer.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException("GGUF export: the tokenizer has " + tokenizer.vocabSize() + " tokens, the model's vocab_size is " + c.vocabSize());
        }
        GgufVocabulary v = GgufVocabulary.of(tokenizer);
        int w = c.width();
        GgufWriter g = new GgufWriter().putString("general.architecture", "gpt2").putString("general.name", name)
                .putUint32("general.file_type", matrixType == GgmlType.F32 ? 0 : 1)
                .putUint32("gpt2.context_length", c.contextLength()).putUint32("gpt2.embedding_length", w)
                .putUint32("gpt2.block_count", c.layers()).putUint32("gpt2.feed_forward_length", 4L * w)
                .putUint32("gpt2.attention.head_count", c.heads()).putFloat32("gpt2.attention.layer_norm_epsilon", 1e-5f)
                .putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
                .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, v.tokens()))
                .putArray("tokenizer.ggml.token_type", new GgufArray(GgufValueType.INT32, v.types()))
                .putArray("tokenizer.ggml.merges", new GgufArray(GgufValueType.STRING, v.merges()))
                .putUint32("tokenizer.ggml.bos_token_id", v.eosId()).putUint32("tokenizer.ggml.eos_token_id", v.eosId())
                .put("tokenizer.ggml.add_bos_token", GgufValueType.BOOL, false)
                .put("tokenizer.ggml.add_eos_token", GgufValueType.BOOL, false);
        Map<String, Tensor> p = gpt.stateDict();
        g.addTensor("token_embd.weight", matrixType, new long[] {w, c.vocabSize()}, values(p, "tok_emb.weight"));
        float[] positions = gpt.children().get("pos_emb") instanceof SinusoidalPositionalEncoding s ? s.table().toArray()
                : values(p, "pos_emb.weight");
        g.addTensor("position_embd.weight", GgmlType.F32, new long[] {w, c.contextLength()}, positions);
        for (int l = 0; l < c.layers(); l++) {
            String from = "blocks." + l + ".", to = "blk." + l + ".";
            norm(g, p, from + "norm1", to + "attn_norm");
            String a = from + "self_attn.";
            float[] qkv = concat(values(p, a + "q_proj.weight"), values(p, a + "k_proj.weight"), values(p, a + "v_proj.weight"));
            g.addTensor(to + "attn_qkv.weight", matrixType, new long[] {w, 3L * w}, qkv);
            g.addTensor(to + "attn_qkv.bias", GgmlType.F32, new long[] {3L * w},
                    concat(bias(p, a + "q_proj.bias", w), bias(p, a + "k_proj.bias", w), bias(p, a + "v_proj.bias", w)));
            linear(g, p, a + "out_proj", to + "attn_output", w, w, matrixType);
            norm(g, p, from + "norm2", to + "ffn_norm");
            linear(g, p, from + "linear1", to + "ffn_up", 4 * w, w, matrixType);
            linear(g, p, from + "linear2", to + "ffn_down", w, 4 * w, matrixType);
        }
        norm(g, p, "ln_f", "output_norm");
        if (!c.tieWeights()) g.addTensor("output.weight", matrixType, new long[] {w, c.vocabSize()}, values(p, "lm_head.weight"));
        g.write(out);
    }

    private static void norm(GgufWriter g, Map<String, Tensor> p, String from, String to) {
        float[] weight = values(p, from + ".weight");
        g.addTensor(to + ".weight", GgmlType.F32, new long[] {weight.length}, weight);
        g.addTensor(to + ".bias", GgmlType.F32, new long[] {weight.length}, bias(p, from + ".bias", weight.length));
    }

    private static void linear(GgufWriter g, Map<String, Tensor> p, String from, String to, int rows, int cols, GgmlType type) {
        g.addTensor(to + ".weight", type, new long[] {cols, rows}, values(p, from + ".weight"));
        g.addTensor(to + ".bias", GgmlType.F32, new long[] {rows}, bias(p, from + ".bias", rows));
    }

    private static float[] values(Map<String, Tensor> p, String key) {
        Tensor t = p.get(key);
        if (t == null) throw new IllegalArgumentException("GGUF export: the Gpt has no parameter " + key + " (has " + p.keySet() + ")");
        return t.toArray();
    }

    /** llama.cpp's gpt2 needs every bias; an unbiased projection gets zeros. */
    private static float[] bias(Map<String, Tensor> p, String key, int n) {
        return p.containsKey(key) ? values(p, key) : new float[n];
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] a : parts) n += a.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }
}
