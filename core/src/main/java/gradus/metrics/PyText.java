package gradus.metrics;

import java.util.ArrayList;
import java.util.List;

/** Python's whitespace rules ({@code str.split()}, {@code str.rstrip()}), which the reference text metrics are defined by. */
final class PyText {
    private PyText() {}

    /** Python's {@code str.isspace} for one char: Java's whitespace plus the no-break spaces and NEL. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || c == '\u00a0' || c == '\u2007' || c == '\u202f' || c == '\u0085';
    }

    /** {@code s.split()}: runs of whitespace separate tokens; no empty tokens. */
    static String[] split(String s) {
        List<String> out = new ArrayList<>();
        int i = 0, n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) i++;
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) i++;
            if (i > start) out.add(s.substring(start, i));
        }
        return out.toArray(new String[0]);
    }

    /** {@code s.rstrip()}. */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }
}
