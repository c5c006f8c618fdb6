package gradus.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * One token per character (Unicode code point). The vocabulary is the sorted distinct characters of a training
 * corpus (ids 0, 1, ... in code point order) plus {@value #UNKNOWN} last, which every other character becomes;
 * {@link #unknownCodePoints} tells which ones. Known text round-trips exactly.
 */
public final class CharTokenizer extends PipelineTokenizer {
    public static final String UNKNOWN = "[UNK]";
    /** Any single code point, in a syntax Java and Hugging Face's Oniguruma read alike ("." differs in dot-all). */
    private static final String ANY_CHAR = "[\\s\\S]";

    private final int[] sortedCodePoints;
    private final int[] idsOfSorted;
    private final int unknown;

    CharTokenizer(PipelineTokenizer pipeline) {
        super(pipeline);
        Vocab vocab = model().vocab();
        List<int[]> entries = new ArrayList<>();
        for (int id = 0; id < vocab.size(); id++) {
            String t = vocab.token(id);
            if (t != null && t.codePointCount(0, t.length()) == 1) entries.add(new int[]{t.codePointAt(0), id});
        }
        entries.sort((a, b) -> Integer.compare(a[0], b[0]));
        sortedCodePoints = entries.stream().mapToInt(e -> e[0]).toArray();
        idsOfSorted = entries.stream().mapToInt(e -> e[1]).toArray();
        unknown = unkId();
    }

    /** The vocabulary of the characters in {@code texts}. */
    public static CharTokenizer train(Iterable<String> texts) {
        TreeSet<Integer> chars = new TreeSet<>();
        for (String text : texts) text.codePoints().forEach(chars::add);
        List<String> tokens = new ArrayList<>();
        for (int c : chars) tokens.add(Character.toString(c));
        tokens.add(UNKNOWN);
        Model model = new WordLevelModel(new Vocab(tokens), UNKNOWN);
        return new CharTokenizer(new PipelineTokenizer(new PipelineTokenizer.Parts(null, PreTokenizer.Split.of(ANY_CHAR, "Isolated", false),
                model, null, new Decoder.Fuse(), List.of(), BatchOptions.DEFAULT, null, 0)));
    }

    static boolean fits(PipelineTokenizer t) {
        Parts p = t.parts();
        return p.model() instanceof WordLevelModel m && m.unkToken() != null && p.normalizer() == null
                && p.preTokenizer() instanceof PreTokenizer.Split s && s.isRegex() && s.pattern().equals(ANY_CHAR)
                && s.behavior().equals("Isolated") && !s.invert() && p.decoder() instanceof Decoder.Fuse && p.addedTokens().isEmpty();
    }

    /** The distinct characters of {@code text} that are not in the vocabulary, in code point order. */
    public int[] unknownCodePoints(String text) {
        return text.codePoints().filter(c -> Arrays.binarySearch(sortedCodePoints, c) < 0).distinct().sorted().toArray();
    }

    @Override
    void encodeNormalized(String text, IntList out) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            int at = Arrays.binarySearch(sortedCodePoints, c);
            out.add(at >= 0 ? idsOfSorted[at] : unknown);
        }
    }
}
