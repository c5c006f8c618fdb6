package gradus.text;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgufArray;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufValueType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tokenizer embedded in a GGUF file's {@code tokenizer.ggml.*} metadata, run as llama.cpp runs it:
 * <ul>
 * <li>"gpt2": byte-level BPE with ranked merges (GPT-2, Llama 3, Qwen2); the text is first split by the regular
 *     expression that {@code tokenizer.ggml.pre} names.
 * <li>"llama": SentencePiece BPE by token scores with byte fallback (Llama 2, Mistral); spaces become "▁" and each
 *     stretch of text after the start or a special token gets a leading "▁" ({@code add_space_prefix}).
 * </ul>
 * Control, user-defined and unknown tokens ({@code token_type} 3, 4, 2) are matched whole in the text (what llama.cpp
 * does when asked to parse special tokens); {@link Tokenizer#encode(String, boolean)} with special tokens adds BOS/EOS
 * as {@code add_bos_token}/{@code add_eos_token} say.
 */
public final class GgufTokenizer {
    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4; // llama.cpp's token types

    /** llama.cpp's pre-tokenizer expressions, by the {@code tokenizer.ggml.pre} names that select them. */
    private static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private GgufTokenizer() {}

    public static Tokenizer load(Path file) throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            return of(gguf);
        }
    }

    /** The file's tokenizer; it holds no reference to the mapping, so the file may be closed afterwards. */
    public static Tokenizer of(GgufFile gguf) throws FileFormatException {
        Path path = gguf.path();
        String kind = gguf.getString("tokenizer.ggml.model");
        GgufArray tokenArray = gguf.getArray("tokenizer.ggml.tokens", GgufValueType.STRING);
        if (tokenArray == null) throw new FileFormatException(path, "metadata tokenizer.ggml.tokens: missing");
        List<String> tokens = Arrays.asList((String[]) tokenArray.values());
        int n = tokens.size();
        long[] types = longs(gguf, "tokenizer.ggml.token_type", n);
        if (types == null) {
            types = new long[n];
            Arrays.fill(types, NORMAL);
        }
        Vocab vocab = Vocab.allowingDuplicates(tokens);
        int bos = id(gguf, "tokenizer.ggml.bos_token_id", n), eos = id(gguf, "tokenizer.ggml.eos_token_id", n);
        int unk = id(gguf, "tokenizer.ggml.unknown_token_id", n);
        List<AddedToken> added = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int t = (int) types[i];
            if ((t == CONTROL || t == USER_DEFINED || t == UNKNOWN) && !tokens.get(i).isEmpty()) {
                added.add(new AddedToken(i, tokens.get(i), false, false, false, false, t != USER_DEFINED));
            }
        }
        Model model;
        Normalizer normalizer = null;
        PreTokenizer preTokenizer = null;
        Decoder decoder;
        boolean addBos;
        switch (kind) {
            case "llama" -> {
                float[] scores = floats(gguf, "tokenizer.ggml.scores", n);
                model = new SentencePieceModel(vocab, scores, unk);
                if (bool(gguf, "tokenizer.ggml.add_space_prefix", true)) {
                    normalizer = new Normalizer.Sequence(List.of(new Normalizer.Prepend(" "), new Normalizer.Replace(ReplacePattern.literal(" "), "\u2581")));
                } else {
                    normalizer = new Normalizer.Replace(ReplacePattern.literal(" "), "\u2581");
                }
                decoder = new Decoder.Sequence(List.of(new Decoder.Replace(ReplacePattern.literal("\u2581"), " "), new Decoder.ByteFallback(),
                        new Decoder.Fuse(), new Decoder.Strip(" ", 1, 0)));
                addBos = bool(gguf, "tokenizer.ggml.add_bos_token", true);
            }
            case "gpt2" -> {
                String pre = gguf.getString("tokenizer.ggml.pre", "(absent)");
                String regex = switch (pre) {
                    case "llama-bpe", "llama3", "llama-v3" -> LLAMA3;
                    case "qwen2" -> QWEN2;
                    case "gpt-2", "gpt2" -> GPT2;
                    default -> throw new FileFormatException(path, "metadata tokenizer.ggml.pre: " + pre
                            + " is not supported (llama-bpe, qwen2, gpt-2 are)");
                };
                GgufArray mergeArray = gguf.getArray("tokenizer.ggml.merges", GgufValueType.STRING);
                if (mergeArray == null) throw new FileFormatException(path, "metadata tokenizer.ggml.merges: missing (a gpt2 tokenizer needs its merges)");
                String[] lines = (String[]) mergeArray.values();
                List<String[]> merges = new ArrayList<>(lines.length);
                for (int i = 0; i < lines.length; i++) {
                    int space = lines[i].indexOf(' ', 1); // as llama.cpp: the first space after the first character
                    if (space < 0) throw new FileFormatException(path, "metadata tokenizer.ggml.merges[" + i + "]: expected two tokens separated by a space, got \"" + lines[i] + "\"");
                    merges.add(new String[] {lines[i].substring(0, space), lines[i].substring(space + 1)});
                }
                // string pairs, as llama.cpp reads them: a merge part need not be a token (a character vocabulary's
                // multi-byte characters are built from bytes that are not tokens themselves)
                model = BpeModel.withStringMerges(vocab, merges, regex == LLAMA3);
                preTokenizer = new PreTokenizer.Sequence(List.of(PreTokenizer.Split.of(regex, "Isolated", false),
                        new PreTokenizer.ByteLevelSplit(false, true, false)));
                decoder = new Decoder.ByteLevelDecoder();
                addBos = bool(gguf, "tokenizer.ggml.add_bos_token", false);
            }
            default -> throw new FileFormatException(path, "metadata tokenizer.ggml.model: " + kind + " is not supported (llama, gpt2 are)");
        }
        boolean addEos = bool(gguf, "tokenizer.ggml.add_eos_token", false);
        PostProcessor post = null;
        if ((addBos && bos >= 0) || (addEos && eos >= 0)) {
            int[] before = addBos && bos >= 0 ? new int[] {bos} : new int[0], after = addEos && eos >= 0 ? new int[] {eos} : new int[0];
            post = PostProcessor.around(before, after, Arrays.stream(before).mapToObj(tokens::get).toArray(String[]::new),
                    Arrays.stream(after).mapToObj(tokens::get).toArray(String[]::new));
        }
        int pad = id(gguf, "tokenizer.ggml.padding_token_id", n);
        return new PipelineTokenizer(new PipelineTokenizer.Parts(normalizer, preTokenizer, model, post, decoder,
                added, BatchOptions.DEFAULT, pad >= 0 ? tokens.get(pad) : null, 0), bos, eos);
    }

    private static int id(GgufFile gguf, String key, int n) throws FileFormatException {
        if (!gguf.metadata().containsKey(key)) return -1;
        int id = gguf.getInt(key);
        if (id < 0 || id >= n) {
            if (id == -1 || (gguf.metadata().get(key) instanceof Long l && l == 0xFFFFFFFFL)) return -1; // "none"
            throw new FileFormatException(gguf.path(), "metadata " + key + ": id " + id + " is outside the vocabulary of " + n + " tokens");
        }
        return id;
    }

    private static boolean bool(GgufFile gguf, String key, boolean fallback) throws FileFormatException {
        Object v = gguf.metadata().get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw new FileFormatException(gguf.path(), "metadata " + key + ": expected a BOOL, got " + gguf.type(key));
    }

    private static long[] longs(GgufFile gguf, String key, int n) throws FileFormatException {
        Object v = gguf.metadata().get(key);
        if (v == null) return null;
        if (!(v instanceof GgufArray a) || !(a.values() instanceof long[] values)) {
            throw new FileFormatException(gguf.path(), "metadata " + key + ": expected an array of integers, got " + gguf.type(key));
        }
        if (values.length != n) throw new FileFormatException(gguf.path(), "metadata " + key + ": " + values.length + " entries for " + n + " tokens");
        return values;
    }

    private static float[] floats(GgufFile gguf, String key, int n) throws FileFormatException {
        GgufArray a = gguf.getArray(key, GgufValueType.FLOAT32);
        if (a == null) throw new FileFormatException(gguf.path(), "metadata " + key + ": missing (a llama tokenizer needs its scores)");
        float[] values = (float[]) a.values();
        if (values.length != n) throw new FileFormatException(gguf.path(), "metadata " + key + ": " + values.length + " entries for " + n + " tokens");
        return values;
    }
}
