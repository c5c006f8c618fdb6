package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgufFile;

import java.util.Set;

/**
 * The hyper-parameters of a Llama-architecture model, read from GGUF metadata ({@code llama.*} keys as
 * llama.cpp writes them). {@code ropeScale} divides positions (linear rope scaling; 1 when none); Llama-3
 * scaling comes as the {@code rope_freqs.weight} tensor of per-frequency divisors, read by {@link Llama}.
 */
public record LlamaConfig(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocab, int contextLength,
                          int ropeDims, float ropeTheta, float ropeScale, float rmsEps) {
    private static final String P = "llama.";
    /** The llama.* keys this implementation understands; any other one is an option it would silently ignore. */
    private static final Set<String> KNOWN = Set.of("context_length", "embedding_length", "block_count",
            "feed_forward_length", "attention.head_count", "attention.head_count_kv", "attention.layer_norm_rms_epsilon",
            "attention.key_length", "attention.value_length", "rope.freq_base", "rope.dimension_count",
            "rope.scaling.type", "rope.scaling.factor", "rope.scaling.original_context_length", "rope.scaling.finetuned",
            "vocab_size", "expert_count", "expert_used_count");

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    public static LlamaConfig of(GgufFile gguf) throws FileFormatException {
        String arch = gguf.getString("general.architecture");
        if (!arch.equals("llama")) {
            throw new FileFormatException(gguf.path(), "general.architecture: " + arch + " is not supported (llama is)");
        }
        for (String key : gguf.metadata().keySet()) {
            if (key.startsWith(P) && !KNOWN.contains(key.substring(P.length()))) {
                throw new FileFormatException(gguf.path(), "metadata " + key + ": this option is not supported");
            }
        }
        if (gguf.getInt(P + "expert_count", 0) != 0) {
            throw new FileFormatException(gguf.path(), "metadata llama.expert_count: mixture of experts is not supported");
        }
        int dim = positive(gguf, "embedding_length", gguf.getInt(P + "embedding_length"));
        int heads = positive(gguf, "attention.head_count", gguf.getInt(P + "attention.head_count"));
        int kvHeads = positive(gguf, "attention.head_count_kv", gguf.getInt(P + "attention.head_count_kv", heads));
        if (dim % heads != 0 || heads % kvHeads != 0) {
            throw new FileFormatException(gguf.path(), "metadata llama.attention.head_count: " + heads + " heads must divide the width "
                    + dim + " and be a multiple of the " + kvHeads + " KV heads");
        }
        int headDim = dim / heads;
        for (String key : new String[] {"attention.key_length", "attention.value_length"}) {
            if (gguf.getInt(P + key, headDim) != headDim) {
                throw new FileFormatException(gguf.path(), "metadata llama." + key + ": a head size other than width/heads = "
                        + headDim + " is not supported");
            }
        }
        int ropeDims = gguf.getInt(P + "rope.dimension_count", headDim);
        if (ropeDims <= 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new FileFormatException(gguf.path(), "metadata llama.rope.dimension_count: " + ropeDims
                    + " must be even and at most the head size " + headDim);
        }
        String scaling = gguf.getString(P + "rope.scaling.type", "none");
        float ropeScale = switch (scaling) {
            case "none" -> 1f;
            case "linear" -> gguf.getFloat(P + "rope.scaling.factor", 1f);
            default -> throw new FileFormatException(gguf.path(), "metadata llama.rope.scaling.type: " + scaling + " is not supported");
        };
        if (!(ropeScale > 0)) throw new FileFormatException(gguf.path(), "metadata llama.rope.scaling.factor: must be positive");
        var embedding = gguf.tensor("token_embd.weight");
        if (embedding.dims() != 2 || embedding.dim(0) != dim || embedding.dim(1) > Integer.MAX_VALUE) {
            throw new FileFormatException(gguf.path(), "tensor token_embd.weight: expected shape [" + dim + ", vocab]");
        }
        int layers = positive(gguf, "block_count", gguf.getInt(P + "block_count"));
        if (layers > gguf.tensors().size() / 9) { // checked before anything is sized by it
            throw new FileFormatException(gguf.path(), "metadata llama.block_count: " + layers + " layers need " + 9L * layers
                    + " tensors, the file has " + gguf.tensors().size());
        }
        return new LlamaConfig(dim, layers, heads, kvHeads,
                positive(gguf, "feed_forward_length", gguf.getInt(P + "feed_forward_length")), (int) embedding.dim(1),
                positive(gguf, "context_length", gguf.getInt(P + "context_length")), ropeDims,
                gguf.getFloat(P + "rope.freq_base", 10000f), ropeScale,
                gguf.getFloat(P + "attention.layer_norm_rms_epsilon"));
    }

    private static int positive(GgufFile gguf, String key, int value) throws FileFormatException {
        if (value <= 0) throw new FileFormatException(gguf.path(), "metadata llama." + key + ": must be positive, got " + value);
        return value;
    }
}
