package gradus.metrics;

import java.util.Map;

/**
 * The Porter stemmer in the variant that NLTK's {@code PorterStemmer()} uses by default
 * ({@code NLTK_EXTENSIONS}), which is what rouge-score stems with: Porter's five steps plus NLTK's
 * irregular forms, its {@code ies}/{@code ied} short-word rules, {@code fulli}/{@code logi} and the
 * two-letter {@code cvc} case. Expects lowercase ASCII words.
 */
public final class PorterStemmer {
    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"),
            Map.entry("tying", "tie"), Map.entry("news", "news"), Map.entry("innings", "inning"), Map.entry("inning", "inning"),
            Map.entry("outings", "outing"), Map.entry("outing", "outing"), Map.entry("cannings", "canning"),
            Map.entry("canning", "canning"), Map.entry("howe", "howe"), Map.entry("proceed", "proceed"),
            Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    /** One rule of a step: replace {@code suffix} with {@code replacement} when the remaining stem passes {@code condition}. */
    private record Rule(String suffix, String replacement, Condition condition) {}

    @FunctionalInterface
    private interface Condition {
        boolean test(String stem);
    }

    private static final Condition ANY = s -> true;
    private static final Condition POSITIVE = s -> measure(s) > 0;
    private static final Condition ABOVE_ONE = s -> measure(s) > 1;

    private static final Rule[] STEP1A = {new Rule("sses", "ss", ANY), new Rule("ies", "i", ANY), new Rule("ss", "ss", ANY), new Rule("s", "", ANY)};
    private static final Rule[] STEP1B_FIX = {new Rule("at", "ate", ANY), new Rule("bl", "ble", ANY), new Rule("iz", "ize", ANY)};
    private static final Rule[] STEP2 = {
            new Rule("ational", "ate", POSITIVE), new Rule("tional", "tion", POSITIVE), new Rule("enci", "ence", POSITIVE),
            new Rule("anci", "ance", POSITIVE), new Rule("izer", "ize", POSITIVE), new Rule("bli", "ble", POSITIVE),
            new Rule("alli", "al", POSITIVE), new Rule("entli", "ent", POSITIVE), new Rule("eli", "e", POSITIVE),
            new Rule("ousli", "ous", POSITIVE), new Rule("ization", "ize", POSITIVE), new Rule("ation", "ate", POSITIVE),
            new Rule("ator", "ate", POSITIVE), new Rule("alism", "al", POSITIVE), new Rule("iveness", "ive", POSITIVE),
            new Rule("fulness", "ful", POSITIVE), new Rule("ousness", "ous", POSITIVE), new Rule("aliti", "al", POSITIVE),
            new Rule("iviti", "ive", POSITIVE), new Rule("biliti", "ble", POSITIVE), new Rule("fulli", "ful", POSITIVE),
            // NLTK measures "logi" on the stem plus its "l"
            new Rule("logi", "log", s -> measure(s + "l") > 0)};
    private static final Rule[] STEP3 = {
            new Rule("icate", "ic", POSITIVE), new Rule("ative", "", POSITIVE), new Rule("alize", "al", POSITIVE),
            new Rule("iciti", "ic", POSITIVE), new Rule("ical", "ic", POSITIVE), new Rule("ful", "", POSITIVE),
            new Rule("ness", "", POSITIVE)};
    private static final Rule[] STEP4 = {
            new Rule("al", "", ABOVE_ONE), new Rule("ance", "", ABOVE_ONE), new Rule("ence", "", ABOVE_ONE),
            new Rule("er", "", ABOVE_ONE), new Rule("ic", "", ABOVE_ONE), new Rule("able", "", ABOVE_ONE),
            new Rule("ible", "", ABOVE_ONE), new Rule("ant", "", ABOVE_ONE), new Rule("ement", "", ABOVE_ONE),
            new Rule("ment", "", ABOVE_ONE), new Rule("ent", "", ABOVE_ONE),
            new Rule("ion", "", s -> measure(s) > 1 && (s.endsWith("s") || s.endsWith("t"))),
            new Rule("ou", "", ABOVE_ONE), new Rule("ism", "", ABOVE_ONE), new Rule("ate", "", ABOVE_ONE),
            new Rule("iti", "", ABOVE_ONE), new Rule("ous", "", ABOVE_ONE), new Rule("ive", "", ABOVE_ONE),
            new Rule("ize", "", ABOVE_ONE)};

    private PorterStemmer() {}

    /** The stem of a lowercase word; words of one or two letters are returned as they are. */
    public static String stem(String word) {
        String irregular = IRREGULAR.get(word);
        if (irregular != null) return irregular;
        if (word.length() <= 2) return word;
        String w = step1a(word);
        w = step1b(w);
        w = step1c(w);
        w = step2(w);
        w = apply(w, STEP3);
        w = apply(w, STEP4);
        w = step5a(w);
        return step5b(w);
    }

    private static String step1a(String w) {
        if (w.length() == 4 && w.endsWith("ies")) return w.substring(0, 1) + "ie";
        return apply(w, STEP1A);
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) return cut(w, 3) + (w.length() == 4 ? "ie" : "i");
        if (w.endsWith("eed")) return measure(cut(w, 3)) > 0 ? cut(w, 3) + "ee" : w;
        String stem;
        if (w.endsWith("ed") && containsVowel(cut(w, 2))) stem = cut(w, 2);
        else if (w.endsWith("ing") && containsVowel(cut(w, 3))) stem = cut(w, 3);
        else return w;
        for (Rule r : STEP1B_FIX) if (stem.endsWith(r.suffix)) return cut(stem, r.suffix.length()) + r.replacement;
        if (endsDoubleConsonant(stem)) {
            char last = stem.charAt(stem.length() - 1);
            return last == 'l' || last == 's' || last == 'z' ? stem : cut(stem, 1);
        }
        return measure(stem) == 1 && endsCvc(stem) ? stem + "e" : stem;
    }

    private static String step1c(String w) {
        if (!w.endsWith("y")) return w;
        String stem = cut(w, 1);
        return stem.length() > 1 && consonant(stem, stem.length() - 1) ? stem + "i" : w;
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && measure(cut(w, 4)) > 0) return step2(cut(w, 4) + "al");
        return apply(w, STEP2);
    }

    private static String step5a(String w) {
        if (!w.endsWith("e")) return w;
        String stem = cut(w, 1);
        int m = measure(stem);
        return m > 1 || (m == 1 && !endsCvc(stem)) ? stem : w;
    }

    private static String step5b(String w) {
        return w.endsWith("ll") && measure(cut(w, 1)) > 1 ? cut(w, 1) : w;
    }

    /** The first rule whose suffix matches decides: it applies when its condition holds, else the word stays. */
    private static String apply(String w, Rule[] rules) {
        for (Rule r : rules) {
            if (w.endsWith(r.suffix)) {
                String stem = cut(w, r.suffix.length());
                return r.condition.test(stem) ? stem + r.replacement : w;
            }
        }
        return w;
    }

    private static String cut(String w, int n) {
        return w.substring(0, w.length() - n);
    }

    private static boolean vowelLetter(char c) {
        return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    }

    /** A consonant is a letter other than a, e, i, o, u, and other than a y that follows a consonant. */
    private static boolean consonant(String w, int i) {
        char c = w.charAt(i);
        if (vowelLetter(c)) return false;
        if (c != 'y') return true;
        boolean negate = false; // a run of y's alternates, starting from the letter before it
        while (i > 0 && w.charAt(i) == 'y') {
            negate = !negate;
            i--;
        }
        return !vowelLetter(w.charAt(i)) != negate;
    }

    /** Porter's m: the number of vowel-consonant sequences in [C](VC)^m[V]. */
    static int measure(String w) {
        int m = 0;
        boolean previousConsonant = true;
        for (int i = 0; i < w.length(); i++) {
            char ch = w.charAt(i);
            boolean c = !vowelLetter(ch) && (ch != 'y' || i == 0 || !previousConsonant);
            if (c && !previousConsonant) m++;
            previousConsonant = c;
        }
        return m;
    }

    private static boolean containsVowel(String w) {
        boolean previousConsonant = true;
        for (int i = 0; i < w.length(); i++) {
            char ch = w.charAt(i);
            boolean c = !vowelLetter(ch) && (ch != 'y' || i == 0 || !previousConsonant);
            if (!c) return true;
            previousConsonant = c;
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && consonant(w, n - 1);
    }

    /** consonant-vowel-consonant at the end, the last not w, x or y; NLTK also counts a two-letter vowel-consonant word. */
    private static boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && consonant(w, n - 3) && !consonant(w, n - 2) && consonant(w, n - 1)) {
            char last = w.charAt(n - 1);
            if (last != 'w' && last != 'x' && last != 'y') return true;
        }
        return n == 2 && !consonant(w, 0) && consonant(w, 1);
    }
}
