package gradus.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding: a piece starts as single characters, then adjacent pairs are merged, always the pair whose
 * merge was learned first (lowest rank), leftmost first, until no learned merge applies.
 */
final class BpeModel implements Model {
    private static final int CACHE_LIMIT = 100_000;

    private final Vocab vocab;
    private final List<String[]> merges;
    /** (left id, right id) packed in a long → rank in the high 32 bits, merged id in the low 32 bits. */
    private final Map<Long, Long> mergeTable;
    private final String unkToken;
    private final int unkId;
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Vocab vocab, List<String[]> merges, String unkToken, boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = List.copyOf(merges);
        this.unkToken = unkToken;
        this.unkId = unkToken == null ? -1 : vocab.id(unkToken);
        this.ignoreMerges = ignoreMerges;
        this.mergeTable = HashMap.newHashMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            int left = vocab.id(m[0]), right = vocab.id(m[1]), merged = vocab.id(m[0] + m[1]);
            if (left < 0 || right < 0 || merged < 0) {
                String missing = left < 0 ? m[0] : right < 0 ? m[1] : m[0] + m[1];
                throw new IllegalArgumentException("merge " + rank + " (\"" + m[0] + "\", \"" + m[1] + "\"): \"" + missing + "\" is not in the vocabulary");
            }
            mergeTable.putIfAbsent(pair(left, right), ((long) rank << 32) | merged);
        }
    }

    static BpeModel read(JsonField f) {
        for (String unsupported : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!f.get(unsupported).isAbsent() && !f.get(unsupported).string().isEmpty()) throw f.get(unsupported).problem("not supported");
        }
        if (f.get("byte_fallback").boolOr(false)) throw f.get("byte_fallback").problem("not supported");
        if (!f.get("dropout").isAbsent() && f.get("dropout").node().asDouble() != 0) throw f.get("dropout").problem("not supported");
        Vocab vocab = Vocab.read(f.get("vocab"));
        List<String[]> merges = new ArrayList<>();
        for (JsonField m : f.get("merges").array()) {
            if (m.node().isTextual()) {
                String[] parts = m.string().split(" ", -1);
                if (parts.length != 2) throw m.problem("expected two tokens separated by one space, got \"" + m.string() + "\"");
                merges.add(parts);
            } else {
                List<JsonField> parts = m.array();
                if (parts.size() != 2) throw m.problem("expected two tokens, got " + parts.size());
                merges.add(new String[]{parts.get(0).string(), parts.get(1).string()});
            }
        }
        String unk = f.get("unk_token").stringOr(null);
        try {
            return new BpeModel(vocab, merges, unk, f.get("ignore_merges").boolOr(false));
        } catch (IllegalArgumentException e) {
            throw f.get("merges").problem(e.getMessage());
        }
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    List<String[]> merges() {
        return merges;
    }

    @Override
    public void tokenize(String piece, IntList out) {
        if (ignoreMerges) {
            int whole = vocab.id(piece);
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        int[] ids = cache.get(piece);
        if (ids == null) {
            ids = merge(piece);
            if (cache.size() >= CACHE_LIMIT) cache.clear();
            cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    private int[] merge(String piece) {
        int[] symbols = new int[piece.length()];
        int n = 0;
        for (int i = 0; i < piece.length(); ) {
            int end = i + Character.charCount(piece.codePointAt(i));
            int id = vocab.id(piece.substring(i, end));
            if (id < 0) id = unkId; // without an unknown token, Hugging Face drops the character
            if (id >= 0) symbols[n++] = id;
            i = end;
        }
        while (n > 1) {
            long best = Long.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                Long m = mergeTable.get(pair(symbols[i], symbols[i + 1]));
                if (m != null && m < best) {
                    best = m;
                    at = i;
                }
            }
            if (at < 0) break;
            symbols[at] = (int) best;
            System.arraycopy(symbols, at + 2, symbols, at + 1, n - at - 2);
            n--;
        }
        return java.util.Arrays.copyOf(symbols, n);
    }

    @Override
    public Vocab vocab() {
        return vocab;
    }

    @Override
    public String unkToken() {
        return unkToken;
    }

    @Override
    public Map<String, Object> toJson() {
        return Jsons.object("type", "BPE", "dropout", null, "unk_token", unkToken, "continuing_subword_prefix", null,
                "end_of_word_suffix", null, "fuse_unk", false, "byte_fallback", false, "ignore_merges", ignoreMerges,
                "vocab", vocab.toJson(), "merges", merges.stream().map(m -> m[0] + " " + m[1]).toList());
    }
}
