package gradus.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Finds added tokens in text, leftmost match first and the longest token where several start at the same place. */
final class AddedTokenMatcher {
    /** A stretch of text, or an added token when {@code id >= 0}. */
    record Segment(String text, int id) {}

    /** Tokens by their first char, longest first. */
    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

    AddedTokenMatcher(List<AddedToken> tokens) {
        for (AddedToken t : tokens) byFirstChar.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
        for (List<AddedToken> list : byFirstChar.values()) list.sort(Comparator.comparingInt((AddedToken t) -> -t.content().length()));
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    /** Splits {@code text} into text segments and added tokens; with no token in it, the text comes back whole. */
    List<Segment> split(String text) {
        List<Segment> out = new ArrayList<>();
        int textStart = 0;
        for (int i = 0; i < text.length(); i++) {
            List<AddedToken> candidates = byFirstChar.get(text.charAt(i));
            if (candidates == null) continue;
            for (AddedToken t : candidates) {
                int end = i + t.content().length();
                if (!text.startsWith(t.content(), i) || (t.singleWord() && !isWholeWord(text, i, end))) continue;
                int start = i;
                if (t.lstrip()) while (start > textStart && Unicode.isWhiteSpace(text.charAt(start - 1))) start--;
                if (t.rstrip()) while (end < text.length() && Unicode.isWhiteSpace(text.charAt(end))) end++;
                if (start > textStart) out.add(new Segment(text.substring(textStart, start), -1));
                out.add(new Segment(t.content(), t.id()));
                textStart = end;
                i = end - 1;
                break;
            }
        }
        if (textStart < text.length()) out.add(new Segment(text.substring(textStart), -1));
        return out;
    }

    private static boolean isWholeWord(String text, int start, int end) {
        return (start == 0 || !isWordChar(text.codePointBefore(start))) && (end == text.length() || !isWordChar(text.codePointAt(end)));
    }

    private static boolean isWordChar(int c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
