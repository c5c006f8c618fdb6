package gradus.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
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

    /**
     * Applies the merges to one piece. Symbols form a linked list and candidate pairs wait in a heap ordered by
     * (rank, position), so a long piece (a base64 blob) costs O(n log n), not O(n²).
     */
    private int[] merge(String piece) {
        int[] id = new int[piece.length()];
        int n = 0;
        for (int i = 0; i < piece.length(); ) {
            int end = i + Character.charCount(piece.codePointAt(i));
            int t = vocab.id(piece.substring(i, end));
            if (t < 0) t = unkId; // without an unknown token, Hugging Face drops the character
            if (t >= 0) id[n++] = t;
            i = end;
        }
        int[] next = new int[n], prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Long> heap = new PriorityQueue<>(); // (rank << 32 | position): lowest rank, then leftmost
        for (int i = 0; i + 1 < n; i++) offer(heap, id, i, i + 1);
        int alive = n;
        while (!heap.isEmpty()) {
            long top = heap.poll();
            int pos = (int) top, right = next[pos];
            if (id[pos] < 0 || right < 0) continue; // merged away since it was queued
            Long m = mergeTable.get(pair(id[pos], id[right]));
            if (m == null || (m >>> 32) != (top >>> 32)) continue; // a neighbour changed: not the queued pair any more
            id[pos] = (int) (long) m;
            id[right] = -1;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            alive--;
            if (prev[pos] >= 0) offer(heap, id, prev[pos], pos);
            if (next[pos] >= 0) offer(heap, id, pos, next[pos]);
        }
        int[] out = new int[alive];
        for (int i = 0, k = 0; i >= 0 && k < alive; i = next[i]) out[k++] = id[i];
        return out;
    }

    private void offer(PriorityQueue<Long> heap, int[] id, int left, int right) {
        Long m = mergeTable.get(pair(id[left], id[right]));
        if (m != null) heap.add((m >>> 32) << 32 | left);
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
