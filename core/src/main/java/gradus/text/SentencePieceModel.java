package gradus.text;

import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece's BPE as llama.cpp runs the "llama" vocabularies of GGUF files (Llama 2, Mistral): a piece starts
 * as single characters; repeatedly the adjacent pair whose concatenation is the vocabulary token of highest score
 * is merged (leftmost on a tie); a final symbol that is not a token becomes its UTF-8 byte tokens "&lt;0xHH&gt;"
 * (or the unknown token if one is missing). The text arrives already escaped (spaces as "▁").
 */
final class SentencePieceModel implements Model {
    private final Vocab vocab;
    private final float[] scores;
    private final int unkId;
    private final int[] byteIds = new int[256];

    SentencePieceModel(Vocab vocab, float[] scores, int unkId) {
        if (scores.length != vocab.size()) throw new IllegalArgumentException(scores.length + " scores for " + vocab.size() + " tokens");
        this.vocab = vocab;
        this.scores = scores;
        this.unkId = unkId;
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(BpeModel.byteToken(b));
            byteIds[b] = id >= 0 ? id : vocab.id(String.valueOf((char) b)); // llama.cpp's second choice: the byte as text
        }
    }

    @Override
    public void tokenize(String piece, IntList out) {
        int n = piece.codePointCount(0, piece.length());
        int[] start = new int[n], length = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            start[i] = at;
            length[i] = Character.charCount(piece.codePointAt(at));
            at += length[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Candidates: (score, left, combined length); highest score first, then the leftmost.
        PriorityQueue<long[]> heap = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
        for (int i = 0; i + 1 < n; i++) offer(heap, piece, start, length, i, i + 1);
        while (!heap.isEmpty()) {
            long[] top = heap.poll();
            int left = (int) top[1], right = next[left];
            // Stale when either side has changed since it was queued (lengths only grow, so the sum tells).
            if (right < 0 || length[left] == 0 || length[right] == 0 || length[left] + length[right] != top[2]) continue;
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[left] >= 0) prev[next[left]] = left;
            if (prev[left] >= 0) offer(heap, piece, start, length, prev[left], left);
            if (next[left] >= 0) offer(heap, piece, start, length, left, next[left]);
        }
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            String symbol = piece.substring(start[i], start[i] + length[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            for (byte b : symbol.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                int byteId = byteIds[b & 0xFF];
                if (byteId >= 0) out.add(byteId);
                else if (unkId >= 0) out.add(unkId);
            }
        }
    }

    private void offer(PriorityQueue<long[]> heap, String piece, int[] start, int[] length, int left, int right) {
        int id = vocab.id(piece.substring(start[left], start[right] + length[right]));
        if (id < 0) return;
        heap.add(new long[] {sortable(scores[id]), left, length[left] + length[right]});
    }

    /** A float's order as a long's (scores may be negative). */
    private static long sortable(float f) {
        int bits = Float.floatToIntBits(f);
        return bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
    }

    @Override
    public Vocab vocab() {
        return vocab;
    }

    @Override
    public String unkToken() {
        return unkId < 0 ? null : vocab.token(unkId);
    }

    @Override
    public Map<String, Object> toJson() {
        throw new UnsupportedOperationException("a SentencePiece vocabulary from a GGUF file cannot be saved as tokenizer.json");
    }
}
