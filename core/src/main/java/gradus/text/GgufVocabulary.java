package gradus.text;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A Gradus tokenizer as a GGUF "gpt2" (byte-level BPE) vocabulary that llama.cpp and {@link GgufTokenizer} run to
 * the same ids, token for token at the same ids (so a model's embedding rows stay where they are):
 * <ul>
 * <li>a {@link BpeTokenizer} is byte-level BPE already: its tokens and merges as they are;
 * <li>a {@link CharTokenizer}'s characters are written in the byte alphabet ("é" → "Ã©") with only the merges that
 *     rebuild each multi-byte character from its bytes (lead byte, then one continuation byte at a time), so no two
 *     characters ever merge. A character outside the vocabulary, [UNK] in Gradus, is dropped by llama.cpp.
 * </ul>
 * llama.cpp needs an end-of-text id: the first special token, else [UNK] (a character model never predicts it), else
 * the last token (a BPE without special tokens has no better one; llama.cpp stops if the model emits it).
 */
public record GgufVocabulary(String[] tokens, long[] types, String[] merges, int eosId) {
    /** llama.cpp's token types. */
    public static final int NORMAL = 1, CONTROL = 3;

    public static GgufVocabulary of(Tokenizer tokenizer) {
        return switch (tokenizer) {
            case CharTokenizer c -> chars(c);
            case BpeTokenizer b -> bpe(b);
            default -> throw new IllegalArgumentException("GGUF export needs a character or byte-level BPE tokenizer (Gradus's char or bpe); got "
                    + tokenizer.getClass().getSimpleName());
        };
    }

    private static GgufVocabulary chars(CharTokenizer t) {
        int n = t.vocabSize(), eos = t.unkId();
        String[] tokens = new String[n];
        long[] types = new long[n];
        Set<String> merges = new LinkedHashSet<>();
        for (int id = 0; id < n; id++) {
            String token = t.idToToken(id);
            if (id == eos) {
                tokens[id] = token;
                types[id] = CONTROL;
                continue;
            }
            String bytes = ByteLevel.encode(token);
            tokens[id] = bytes;
            types[id] = NORMAL;
            for (int k = 1; k < bytes.length(); k++) merges.add(bytes.substring(0, k) + " " + bytes.charAt(k));
        }
        return new GgufVocabulary(tokens, types, merges.toArray(String[]::new), eos >= 0 ? eos : n - 1);
    }

    private static GgufVocabulary bpe(BpeTokenizer t) {
        int n = t.vocabSize();
        String[] tokens = new String[n];
        long[] types = new long[n];
        for (int id = 0; id < n; id++) {
            tokens[id] = t.idToToken(id);
            types[id] = NORMAL;
        }
        int eos = -1;
        for (AddedToken a : t.addedTokens()) {
            types[a.id()] = CONTROL;
            if (eos < 0 && a.special()) eos = a.id();
        }
        List<String> merges = new ArrayList<>();
        for (String[] m : t.merges()) merges.add(m[0] + " " + m[1]);
        return new GgufVocabulary(tokens, types, merges.toArray(String[]::new), eos >= 0 ? eos : n - 1);
    }
}
