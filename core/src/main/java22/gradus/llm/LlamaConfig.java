package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgufFile;

import java.util.Set;

/**
 * The hyper-parameters of a Llama-family model, read from GGUF metadata ({@code ARCH.*} keys as llama.cpp writes
 * them) for the architectures {@link Family} lists. {@code ropeScale} divides positions (linear rope scaling; 1
 * when none); Llama-3 scaling comes as the {@code rope_freqs.weight} tensor of per-frequency divisors, read by
 * {@link Llama}. {@code slidingWindow} is the number of positions a token attends to, itself included (Mistral's
 * {@code sliding_window}; 0 for full attention). {@code neoxRope}: rotate the two halves of each head rather than
 * adjacent pairs (Qwen, and every Hugging Face checkpoint, whose q/k rows GGUF's Llama converter permutes).
 */
public record LlamaConfig(Family family, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim, int vocab,
                          int contextLength, int ropeDims, float ropeTheta, float ropeScale, float rmsEps, int slidingWindow,
                          boolean neoxRope) {
    /**
     * The supported architectures and what sets them apart from Llama: Qwen2 adds biases to q, k and v; Qwen3 instead
     * RMS-normalizes each head of q and k before rotation; both rotate the two halves of a head (NeoX rope, as their
     * Hugging Face weights are laid out) where Llama rotates adjacent pairs (GGUF's Llama q/k rows are permuted for it).
     */
    public enum Family {
        LLAMA("llama", false, false, false), QWEN2("qwen2", true, false, true), QWEN3("qwen3", false, true, true);

        final String arch;
        final boolean qkvBias, qkNorm, neoxRope;

        Family(String arch, boolean qkvBias, boolean qkNorm, boolean neoxRope) {
            this.arch = arch;
            this.qkvBias = qkvBias;
            this.qkNorm = qkNorm;
            this.neoxRope = neoxRope;
        }

        public String arch() {
            return arch;
        }

        public boolean qkvBias() {
            return qkvBias;
        }

        public boolean qkNorm() {
            return qkNorm;
        }

        public boolean neoxRope() {
            return neoxRope;
        }

        static Family of(String arch) {
            for (Family f : values()) if (f.arch.equals(arch)) return f;
            return null;
        }
    }

    /** The ARCH.* keys this implementation understands; any other one is an option it would silently ignore. */
    private static final Set<String> KNOWN = Set.of("context_length", "embedding_length", "block_count",
            "feed_forward_length", "attention.head_count", "attention.head_count_kv", "attention.layer_norm_rms_epsilon",
            "attention.key_length", "attention.value_length", "attention.sliding_window", "rope.freq_base", "rope.dimension_count",
            "rope.scaling.type", "rope.scaling.factor", "rope.scaling.original_context_length", "rope.scaling.finetuned",
            "vocab_size", "expert_count", "expert_used_count");

    /** Width of the concatenated query heads (dim unless the file sets a head size of its own). */
    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    public static LlamaConfig of(GgufFile gguf) throws FileFormatException {
        String arch = gguf.getString("general.architecture");
        Family family = Family.of(arch);
        if (family == null) {
            throw new FileFormatException(gguf.path(), "general.architecture: " + arch + " is not supported (llama, qwen2, qwen3 and gpt2 are)");
        }
        String P = arch + ".";
        for (String key : gguf.metadata().keySet()) {
            if (key.startsWith(P) && !KNOWN.contains(key.substring(P.length()))) {
                throw new FileFormatException(gguf.path(), "metadata " + key + ": this option is not supported");
            }
        }
        if (gguf.getInt(P + "expert_count", 0) != 0) {
            throw new FileFormatException(gguf.path(), "metadata " + P + "expert_count: mixture of experts is not supported");
        }
        int dim = positive(gguf, P + "embedding_length", gguf.getInt(P + "embedding_length"));
        int heads = positive(gguf, P + "attention.head_count", gguf.getInt(P + "attention.head_count"));
        int kvHeads = positive(gguf, P + "attention.head_count_kv", gguf.getInt(P + "attention.head_count_kv", heads));
        boolean ownHeadSize = gguf.metadata().containsKey(P + "attention.key_length"); // Qwen3's heads need not split the width
        int headDim = positive(gguf, P + "attention.key_length", gguf.getInt(P + "attention.key_length", dim / heads));
        if ((!ownHeadSize && dim % heads != 0) || heads % kvHeads != 0 || (long) heads * headDim > 1 << 24) {
            throw new FileFormatException(gguf.path(), "metadata " + P + "attention.head_count: " + heads + " heads must divide the width "
                    + dim + " and be a multiple of the " + kvHeads + " KV heads");
        }
        if (gguf.getInt(P + "attention.value_length", headDim) != headDim) {
            throw new FileFormatException(gguf.path(), "metadata " + P + "attention.value_length: a value head size other than the key's "
                    + headDim + " is not supported");
        }
        int ropeDims = gguf.getInt(P + "rope.dimension_count", headDim);
        if (ropeDims <= 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new FileFormatException(gguf.path(), "metadata " + P + "rope.dimension_count: " + ropeDims
                    + " must be even and at most the head size " + headDim);
        }
        String scaling = gguf.getString(P + "rope.scaling.type", "none");
        float ropeScale = switch (scaling) {
            case "none" -> 1f;
            case "linear" -> gguf.getFloat(P + "rope.scaling.factor", 1f);
            default -> throw new FileFormatException(gguf.path(), "metadata " + P + "rope.scaling.type: " + scaling + " is not supported");
        };
        if (!(ropeScale > 0)) throw new FileFormatException(gguf.path(), "metadata " + P + "rope.scaling.factor: must be positive");
        int window = gguf.getInt(P + "attention.sliding_window", 0);
        if (window < 0) throw new FileFormatException(gguf.path(), "metadata " + P + "attention.sliding_window: must not be negative, got " + window);
        var embedding = gguf.tensor("token_embd.weight");
        if (embedding.dims() != 2 || embedding.dim(0) != dim || embedding.dim(1) > Integer.MAX_VALUE) {
            throw new FileFormatException(gguf.path(), "tensor token_embd.weight: expected shape [" + dim + ", vocab]");
        }
        int layers = positive(gguf, P + "block_count", gguf.getInt(P + "block_count"));
        if (layers > gguf.tensors().size() / 9) { // checked before anything is sized by it
            throw new FileFormatException(gguf.path(), "metadata " + P + "block_count: " + layers + " layers need " + 9L * layers
                    + " tensors, the file has " + gguf.tensors().size());
        }
        return new LlamaConfig(family, dim, layers, heads, kvHeads, headDim,
                positive(gguf, P + "feed_forward_length", gguf.getInt(P + "feed_forward_length")), (int) embedding.dim(1),
                positive(gguf, P + "context_length", gguf.getInt(P + "context_length")), ropeDims,
                gguf.getFloat(P + "rope.freq_base", 10000f), ropeScale,
                gguf.getFloat(P + "attention.layer_norm_rms_epsilon"), window, family.neoxRope());
    }

    private static int positive(GgufFile gguf, String key, int value) throws FileFormatException {
        if (value <= 0) throw new FileFormatException(gguf.path(), "metadata " + key + ": must be positive, got " + value);
        return value;
    }
}
