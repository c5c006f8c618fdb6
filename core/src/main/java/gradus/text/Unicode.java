package gradus.text;

/** Character classes and case mapping with the exact definitions Hugging Face's tokenizers use. */
final class Unicode {
    private Unicode() {}

    /**
     * A tokenizer.json regular expression as Hugging Face runs it (Oniguruma on UTF-8): \s, \d and \w are the
     * Unicode classes, and case-insensitive groups fold Unicode case.
     */
    static java.util.regex.Pattern regex(String source) {
        return java.util.regex.Pattern.compile(source, java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The Unicode White_Space property (Rust's {@code char::is_whitespace}); Java's isWhitespace differs. */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** BERT's control characters: Unicode "Other" categories, except tab, newline and carriage return. */
    static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') return false;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** BERT's punctuation: ASCII punctuation (which includes symbols such as $ and ^) or a Unicode P* category. */
    static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK Unified Ideograph blocks that BERT surrounds with spaces. */
    static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    /**
     * Lowercases code point by code point, as Rust's {@code char::to_lowercase}: unlike String.toLowerCase there is
     * no context-dependent final sigma, and U+0130 becomes "i" plus a combining dot.
     */
    static String lowercase(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) { // fast path: nothing to change so far
            char c = s.charAt(i);
            if (c >= 0x80 ? Character.isSurrogate(c) || Character.toLowerCase(c) != c || c == 0x130 : c >= 'A' && c <= 'Z') break;
            i++;
        }
        if (i == n) return s;
        char[] out = new char[n + 8];
        s.getChars(0, i, out, 0);
        int o = i;
        while (i < n) {
            char c = s.charAt(i);
            if (o + 2 > out.length) out = java.util.Arrays.copyOf(out, out.length * 2);
            if (c < 0x80) {
                out[o++] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
                i++;
            } else {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                if (cp == 0x130) {
                    out[o++] = 'i';
                    out[o++] = '\u0307';
                } else {
                    o += Character.toChars(Character.toLowerCase(cp), out, o);
                }
            }
        }
        return new String(out, 0, o);
    }
}
