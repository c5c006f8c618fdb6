package gradus.text;

import java.util.ArrayList;
import java.util.HashMap;
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
    private final Vocab vocab;
    private final int unknown;

    WordTokenizer(PipelineTokenizer pipeline) {
        super(pipeline);
        pattern = ((PreTokenizer.Split) parts().preTokenizer()).compiled();
        vocab = model().vocab();
        unknown = unkId();
    }

    /** The default tokenizer: {@value #DEFAULT_PATTERN} on lowercased text. */
    public static WordTokenizer train(Iterable<String> documents, int maxVocabSize) {
        return train(documents, maxVocabSize, DEFAULT_PATTERN, true);
    }

    public static WordTokenizer train(Iterable<String> documents, int maxVocabSize, String regex, boolean lowercase) {
        if (maxVocabSize < 2) throw new IllegalArgumentException("maxVocabSize must be >= 2 (PAD and UNK), got " + maxVocabSize);
        Pattern pattern = Pattern.compile(regex);
        Map<String, int[]> counts = new HashMap<>();
        for (String doc : documents) {
            Matcher m = pattern.matcher(lowercase ? Unicode.lowercase(doc) : doc);
            while (m.find()) {
                if (m.end() > m.start()) counts.computeIfAbsent(m.group(), w -> new int[1])[0]++;
            }
        }
        List<Map.Entry<String, int[]>> ranked = new ArrayList<>(counts.entrySet());
        ranked.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Integer.compare(b.getValue()[0], a.getValue()[0])
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

    /** The same as the pipeline's split-then-look-up, without the intermediate list of pieces. */
    @Override
    void encodeNormalized(String text, IntList out) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            if (m.end() == m.start()) continue;
            int id = vocab.id(text.substring(m.start(), m.end()));
            out.add(id >= 0 ? id : unknown);
        }
    }
}
