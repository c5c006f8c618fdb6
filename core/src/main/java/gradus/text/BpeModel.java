package gradus.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding: a piece starts as single characters, then adjacent pairs are merged, always the pair whose
 * merge was learned first (lowest rank), leftmost first, until no learned merge applies. A character missing from
 * the vocabulary becomes its UTF-8 byte tokens ("&lt;0xE2&gt;"…) with {@code byteFallback} (Llama 2, Mistral, Gemma),
 * else the unknown token (one for a run of them with {@code fuseUnk}), else nothing, as in Hugging Face.
 */
final class BpeModel implements Model {
    private static final int CACHE_LIMIT = 100_000;
    /** Longer pieces (whole lines, when there is no pre-tokenizer) are rarely seen twice: not worth keeping. */
    private static final int CACHED_LENGTH = 64;

    private final Vocab vocab;
    private final List<String[]> merges;
    /** (left id, right id) packed in a long → rank in the high 32 bits, merged id in the low 32 bits. */
    private final Map<Long, Long> mergeTable;
    private final String unkToken;
    private final int unkId;
    private final boolean ignoreMerges, byteFallback, fuseUnk;
    /**
     * llama.cpp's reading of GGUF merges as string pairs: the merge parts and results that are not tokens get ids
     * from vocab.size() on (in order of first appearance), and a piece left with one of them becomes the tokens of
     * its single ASCII characters (the rest dropped), as llama.cpp's BPE does. Null when merges must be tokens.
     */
    private final List<String> extraStrings;
    private final Map<String, Integer> extraIds = new HashMap<>();
    /** The ids of the byte tokens "&lt;0x00&gt;" … "&lt;0xFF&gt;" when byte fallback is on (-1 where one is missing). */
    private final int[] byteIds;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Vocab vocab, List<String[]> merges, String unkToken, boolean ignoreMerges) {
        this(vocab, merges, unkToken, ignoreMerges, false, false);
    }

    BpeModel(Vocab vocab, List<String[]> merges, String unkToken, boolean ignoreMerges, boolean byteFallback, boolean fuseUnk) {
        this(vocab, merges, unkToken, ignoreMerges, byteFallback, fuseUnk, false);
    }

    /** With {@code stringMerges}, merges name strings rather than tokens, as llama.cpp reads a GGUF "gpt2" tokenizer. */
    static BpeModel withStringMerges(Vocab vocab, List<String[]> merges, boolean ignoreMerges) {
        return new BpeModel(vocab, merges, null, ignoreMerges, false, false, true);
    }

    private BpeModel(Vocab vocab, List<String[]> merges, String unkToken, boolean ignoreMerges, boolean byteFallback, boolean fuseUnk,
                     boolean stringMerges) {
        this.vocab = vocab;
        this.extraStrings = stringMerges ? new ArrayList<>() : null;
        this.byteFallback = byteFallback;
        this.fuseUnk = fuseUnk;
        this.byteIds = new int[256];
        for (int b = 0; b < 256; b++) byteIds[b] = vocab.id(byteToken(b));
        this.merges = List.copyOf(merges);
        this.unkToken = unkToken;
        this.unkId = unkToken == null ? -1 : vocab.id(unkToken);
        this.ignoreMerges = ignoreMerges;
        this.mergeTable = HashMap.newHashMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            int left = id(m[0]), right = id(m[1]), merged = id(m[0] + m[1]);
            if (left < 0 || right < 0 || merged < 0) {
                String missing = left < 0 ? m[0] : right < 0 ? m[1] : m[0] + m[1];
                throw new IllegalArgumentException("merge " + rank + " (\"" + m[0] + "\", \"" + m[1] + "\"): \"" + missing + "\" is not in the vocabulary");
            }
            mergeTable.putIfAbsent(pair(left, right), ((long) rank << 32) | merged);
        }
    }

    /** The token id of {@code s}; with string merges, else an id past the vocabulary for it; else -1. */
    private int id(String s) {
        int id = vocab.id(s);
        if (id >= 0 || extraStrings == null) return id;
        return extraIds.computeIfAbsent(s, k -> {
            extraStrings.add(k);
            return vocab.size() + extraStrings.size() - 1;
        });
    }

    /** The id of one character of a piece: a token, else (string merges) a merge part, else -1. */
    private int charId(String ch) {
        int t = vocab.id(ch);
        if (t >= 0 || extraStrings == null) return t;
        return extraIds.getOrDefault(ch, -1);
    }

    static BpeModel read(JsonField f) {
        for (String unsupported : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!f.get(unsupported).isAbsent() && !f.get(unsupported).string().isEmpty()) throw f.get(unsupported).problem("not supported");
        }
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
            return new BpeModel(vocab, merges, unk, f.get("ignore_merges").boolOr(false), f.get("byte_fallback").boolOr(false),
                    f.get("fuse_unk").boolOr(false));
        } catch (IllegalArgumentException e) {
            throw f.get("merges").problem(e.getMessage());
        }
    }

    /** SentencePiece's name for a byte: "&lt;0x0A&gt;". */
    static String byteToken(int b) {
        return String.format("<0x%02X>", b);
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
            if (piece.length() <= CACHED_LENGTH) cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    /**
     * Applies the merges to one piece. Symbols form a linked list and candidate pairs wait in a heap ordered by
     * (rank, position), so a long piece (a base64 blob) costs O(n log n), not O(n²).
     */
    private int[] merge(String piece) {
        int[] id = new int[byteFallback ? 3 * piece.length() : piece.length()]; // a UTF-16 unit is at most 3 UTF-8 bytes
        int n = 0;
        boolean lastUnk = false;
        for (int i = 0; i < piece.length(); ) {
            int end = i + Character.charCount(piece.codePointAt(i));
            String ch = piece.substring(i, end);
            i = end;
            int t = charId(ch);
            if (t < 0 && byteFallback && appendBytes(ch, id, n)) {
                n += ch.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                lastUnk = false;
                continue;
            }
            if (t < 0) {
                if (unkId < 0 || (fuseUnk && lastUnk)) continue; // without an unknown token, Hugging Face drops the character
                t = unkId;
                lastUnk = true;
            } else {
                lastUnk = false;
            }
            id[n++] = t;
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
        return extraStrings == null ? out : withoutExtraStrings(out);
    }

    /** llama.cpp: a symbol that is no token becomes the tokens of its one-byte (ASCII) characters; others are dropped. */
    private int[] withoutExtraStrings(int[] ids) {
        int v = vocab.size();
        boolean any = false;
        for (int t : ids) any |= t >= v;
        if (!any) return ids;
        IntList out = new IntList();
        for (int t : ids) {
            if (t < v) {
                out.add(t);
                continue;
            }
            String s = extraStrings.get(t - v);
            for (int i = 0; i < s.length(); i++) {
                int b = s.charAt(i) < 0x80 ? vocab.id(s.substring(i, i + 1)) : -1;
                if (b >= 0) out.add(b);
            }
        }
        return out.toArray();
    }

    /** Writes the byte tokens of {@code ch} at {@code id[n]…}; false (nothing written) if one is not in the vocabulary. */
    private boolean appendBytes(String ch, int[] id, int n) {
        byte[] bytes = ch.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : bytes) if (byteIds[b & 0xFF] < 0) return false;
        for (byte b : bytes) id[n++] = byteIds[b & 0xFF];
        return true;
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
                "end_of_word_suffix", null, "fuse_unk", fuseUnk, "byte_fallback", byteFallback, "ignore_merges", ignoreMerges,
                "vocab", vocab.toJson(), "merges", merges.stream().map(m -> m[0] + " " + m[1]).toList());
    }
}
