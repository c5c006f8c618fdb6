package gradus.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns byte-level BPE merges. Pair counts are kept up to date incrementally: a merge only revisits the words that
 * contain the merged pair. A max-heap holds candidate pairs; entries gone stale (counts only fall, except for pairs
 * with the new token, which are pushed fresh) are corrected when they surface. Ties go to the smaller pair of ids.
 */
final class BpeTrainer {
    private static final class PairStat {
        long count;
        final IntList words = new IntList(4); // words holding the pair (may repeat; visits are deduplicated)
    }

    private final List<String> tokens = new ArrayList<>();
    private final List<String[]> merges = new ArrayList<>();

    private BpeTrainer() {}

    /** The vocabulary (special tokens, the 256 bytes, then one token per merge) and merges learned from {@code texts}. */
    static BpeModel train(Iterable<String> texts, int vocabSize, int minFrequency, List<String> specialTokens, PreTokenizer split) {
        int base = specialTokens.size() + 256;
        if (vocabSize < base) throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the " + specialTokens.size() + " special tokens + 256 bytes");
        BpeTrainer t = new BpeTrainer();
        t.tokens.addAll(specialTokens);
        for (int b = 0; b < 256; b++) t.tokens.add(String.valueOf(ByteLevel.charOf(b)));
        t.learn(countWords(texts, specialTokens, split), vocabSize, Math.max(1, minFrequency), specialTokens.size());
        return new BpeModel(new Vocab(t.tokens), t.merges, null, false);
    }

    private static Map<String, long[]> countWords(Iterable<String> texts, List<String> specialTokens, PreTokenizer split) {
        List<AddedToken> specials = new ArrayList<>();
        for (int i = 0; i < specialTokens.size(); i++) specials.add(AddedToken.special(i, specialTokens.get(i)));
        AddedTokenMatcher matcher = new AddedTokenMatcher(specials);
        Map<String, long[]> counts = new HashMap<>();
        List<String> pieces = new ArrayList<>();
        for (String text : texts) {
            pieces.clear();
            for (var segment : matcher.split(text)) if (segment.id() < 0) split.split(segment.text(), pieces); // special tokens are not learned from
            for (String p : pieces) counts.computeIfAbsent(p, k -> new long[1])[0]++;
        }
        return counts;
    }

    private void learn(Map<String, long[]> wordCounts, int vocabSize, int minFrequency, int byteOffset) {
        int n = wordCounts.size();
        int[][] words = new int[n][];
        long[] freq = new long[n];
        int w = 0;
        for (var e : wordCounts.entrySet()) {
            String word = e.getKey();
            int[] symbols = new int[word.length()];
            for (int i = 0; i < symbols.length; i++) symbols[i] = byteOffset + ByteLevel.byteOf(word.charAt(i));
            words[w] = symbols;
            freq[w++] = e.getValue()[0];
        }
        Map<Long, PairStat> pairs = new HashMap<>();
        for (w = 0; w < n; w++) {
            int[] s = words[w];
            for (int i = 0; i + 1 < s.length; i++) {
                PairStat st = pairs.computeIfAbsent(BpeModel.pair(s[i], s[i + 1]), k -> new PairStat());
                st.count += freq[w];
                st.words.add(w);
            }
        }
        // Heap entries {count, pair}: highest count first, then the smaller pair.
        PriorityQueue<long[]> heap = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
        pairs.forEach((pair, st) -> heap.add(new long[]{st.count, pair}));
        int[] visited = new int[n];
        java.util.Arrays.fill(visited, -1);
        while (tokens.size() < vocabSize && !heap.isEmpty()) {
            long[] top = heap.poll();
            long pair = top[1];
            PairStat st = pairs.get(pair);
            if (st == null) continue;
            if (st.count != top[0]) { // stale: requeue with its current count
                if (st.count > 0) heap.add(new long[]{st.count, pair});
                continue;
            }
            if (st.count < minFrequency) break;
            int left = (int) (pair >>> 32), right = (int) pair, merged = tokens.size();
            tokens.add(tokens.get(left) + tokens.get(right));
            merges.add(new String[]{tokens.get(left), tokens.get(right)});
            pairs.remove(pair);
            Set<Long> created = new LinkedHashSet<>();
            for (int k = 0; k < st.words.size(); k++) {
                w = st.words.get(k);
                if (visited[w] == merged) continue;
                visited[w] = merged;
                words[w] = mergeWord(words[w], left, right, merged, freq[w], w, pairs, created);
            }
            for (long p : created) {
                PairStat c = pairs.get(p);
                if (c != null && c.count > 0) heap.add(new long[]{c.count, p});
            }
        }
    }

    /** Replaces every (left, right) in the word by {@code merged}, moving its pair counts from the old to the new pairs. */
    private static int[] mergeWord(int[] s, int left, int right, int merged, long f, int w, Map<Long, PairStat> pairs, Set<Long> created) {
        int[] out = new int[s.length];
        int m = 0;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                out[m++] = merged;
                i++;
            } else {
                out[m++] = s[i];
            }
        }
        if (m == s.length) return s;
        for (int i = 0; i + 1 < s.length; i++) {
            PairStat st = pairs.get(BpeModel.pair(s[i], s[i + 1]));
            if (st != null) st.count -= f;
        }
        for (int i = 0; i + 1 < m; i++) {
            long p = BpeModel.pair(out[i], out[i + 1]);
            PairStat st = pairs.computeIfAbsent(p, k -> new PairStat());
            st.count += f;
            if (out[i] == merged || out[i + 1] == merged) {
                st.words.add(w);
                created.add(p);
            }
        }
        return java.util.Arrays.copyOf(out, m);
    }
}
