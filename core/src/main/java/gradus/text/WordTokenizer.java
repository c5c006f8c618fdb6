package gradus.text;

import gradus.kernels.Parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words as tokens: the matches of a regular expression (default {@value #DEFAULT_PATTERN} on lowercased text).
 * The vocabulary holds {@value #PAD} (id 0), {@value #UNK} (id 1), then the most frequent training words, more
 * frequent first and, at equal counts, in ascending code point order of the word, up to {@code maxVocabSize}
 * entries in all. Words outside it encode as {@value #UNK}; decoding joins words with spaces.
 */
public final class WordTokenizer extends PipelineTokenizer {
    public static final String DEFAULT_PATTERN = "[a-z0-9]+";
    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";

    private final Pattern pattern;
    private final WordTable ids = new WordTable();
    private final int unknown;

    WordTokenizer(PipelineTokenizer pipeline) {
        super(pipeline);
        pattern = ((PreTokenizer.Split) parts().preTokenizer()).compiled();
        Vocab vocab = model().vocab();
        for (int id = 0; id < vocab.size(); id++) if (vocab.token(id) != null) ids.put(vocab.token(id), id);
        unknown = unkId();
    }

    /** Receives the [start, end) region of each word found in a text. */
    private interface WordSink {
        void word(int start, int end);
    }

    /** The pattern's non-empty matches; the default pattern is scanned by hand, which is several times faster. */
    private static void forEachWord(String text, Pattern pattern, WordSink sink) {
        if (!pattern.pattern().equals(DEFAULT_PATTERN)) {
            Matcher m = pattern.matcher(text);
            while (m.find()) if (m.end() > m.start()) sink.word(m.start(), m.end());
            return;
        }
        int n = text.length();
        for (int i = 0; i < n; ) {
            char c = text.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                int start = i;
                do i++;
                while (i < n && ((c = text.charAt(i)) >= 'a' && c <= 'z' || c >= '0' && c <= '9'));
                sink.word(start, i);
            } else {
                i++;
            }
        }
    }

    /** The default tokenizer: {@value #DEFAULT_PATTERN} on lowercased text. */
    public static WordTokenizer train(Iterable<String> documents, int maxVocabSize) {
        return train(documents, maxVocabSize, DEFAULT_PATTERN, true);
    }

    public static WordTokenizer train(Iterable<String> documents, int maxVocabSize, String regex, boolean lowercase) {
        if (maxVocabSize < 2) throw new IllegalArgumentException("maxVocabSize must be >= 2 (PAD and UNK), got " + maxVocabSize);
        Pattern pattern = Pattern.compile(regex);
        List<String> docs = new ArrayList<>();
        documents.forEach(docs::add);
        WordTable counts = new WordTable();
        Parallel.forRange(docs.size(), 64, (from, to) -> {
            WordTable local = new WordTable();
            for (int d = from; d < to; d++) {
                String text = lowercase ? Unicode.lowercase(docs.get(d)) : docs.get(d);
                forEachWord(text, pattern, (start, end) -> local.increment(text, start, end, 1));
            }
            synchronized (counts) {
                local.forEach((word, count) -> counts.increment(word, 0, word.length(), count));
            }
        });
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(counts.size());
        counts.forEach((word, count) -> ranked.add(Map.entry(word, count)));
        ranked.sort((a, b) -> !a.getValue().equals(b.getValue()) ? Integer.compare(b.getValue(), a.getValue())
                : compareCodePoints(a.getKey(), b.getKey()));
        List<String> tokens = new ArrayList<>(List.of(PAD, UNK));
        for (var e : ranked) {
            if (tokens.size() == maxVocabSize) break;
            if (!e.getKey().equals(PAD) && !e.getKey().equals(UNK)) tokens.add(e.getKey());
        }
        var parts = new PipelineTokenizer.Parts(lowercase ? new Normalizer.Lowercase() : null, PreTokenizer.Split.of(regex, "Removed", true),
                new WordLevelModel(new Vocab(tokens), UNK), null, null, List.of(), BatchOptions.DEFAULT.padToLongest(), PAD, 0);
        return new WordTokenizer(new PipelineTokenizer(parts));
    }

    /** Python's string order (by code point), which differs from String.compareTo only beyond the BMP. */
    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static boolean fits(PipelineTokenizer t) {
        Parts p = t.parts();
        return p.model() instanceof WordLevelModel m && m.unkToken() != null
                && (p.normalizer() == null || p.normalizer() instanceof Normalizer.Lowercase)
                && p.preTokenizer() instanceof PreTokenizer.Split s && s.invert() && s.behavior().equals("Removed")
                && p.decoder() == null && p.addedTokens().isEmpty();
    }

    public String pattern() {
        return pattern.pattern();
    }

    public boolean lowercase() {
        return parts().normalizer() != null;
    }

    /** The same as the pipeline's split-then-look-up, without a list of pieces or a String per word. */
    @Override
    void encodeNormalized(String text, IntList out) {
        forEachWord(text, pattern, (start, end) -> {
            int id = ids.get(text, start, end);
            out.add(id >= 0 ? id : unknown);
        });
    }
}
