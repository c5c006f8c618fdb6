package gradus.text;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's token ⇄ id table. Ids need not be contiguous, but must be dense enough ({@link #maxId}) that the id → token
 * array stays proportional to the file; {@link #size()} is the highest id + 1.
 */
final class Vocab {
    private final Map<String, Integer> ids;
    private final String[] tokens;

    /** Tokens in id order: the i-th token gets id i. */
    Vocab(List<String> tokens) {
        this.tokens = tokens.toArray(String[]::new);
        this.ids = HashMap.newHashMap(tokens.size());
        for (int i = 0; i < this.tokens.length; i++) {
            if (ids.putIfAbsent(this.tokens[i], i) != null) throw new IllegalArgumentException("duplicate token \"" + this.tokens[i] + "\"");
        }
    }

    /** Tokens in id order where a text may repeat (GGUF vocabularies): it then maps to its last id, as in llama.cpp. */
    static Vocab allowingDuplicates(List<String> tokens) {
        Map<String, Integer> ids = HashMap.newHashMap(tokens.size());
        for (int i = 0; i < tokens.size(); i++) ids.put(tokens.get(i), i);
        return new Vocab(ids, tokens.toArray(String[]::new));
    }

    private Vocab(Map<String, Integer> ids, String[] tokens) {
        this.ids = ids;
        this.tokens = tokens;
    }

    /** The highest id a vocabulary of {@code entries} tokens may use: twice the entries, or entries + 1024 when small. */
    static long maxId(int entries) {
        return Math.max(2L * entries, entries + 1024L);
    }

    static Vocab read(JsonField f) {
        var node = f.object().node();
        Map<String, Integer> ids = HashMap.newHashMap(node.size());
        long limit = maxId(node.size());
        int max = -1;
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            // The field path is only built for an error: vocabularies have tens of thousands of entries.
            int id = e.getValue().isIntegralNumber() && e.getValue().canConvertToInt() && e.getValue().intValue() >= 0
                    ? e.getValue().intValue() : f.get(e.getKey()).nonNegative();
            if (id > limit) {
                throw f.get(e.getKey()).problem("id " + id + " is too large for a vocabulary of " + node.size()
                        + " entries (ids must be below " + (limit + 1) + ")");
            }
            ids.put(e.getKey(), id);
            max = Math.max(max, id);
        }
        String[] tokens = new String[max + 1];
        for (var e : ids.entrySet()) {
            String previous = tokens[e.getValue()];
            if (previous != null) throw f.problem("id " + e.getValue() + " is given to both \"" + previous + "\" and \"" + e.getKey() + "\"");
            tokens[e.getValue()] = e.getKey();
        }
        return new Vocab(ids, tokens);
    }

    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    int size() {
        return tokens.length;
    }

    Map<String, Integer> toJson() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < tokens.length; i++) if (tokens[i] != null) out.put(tokens[i], i);
        return out;
    }
}
