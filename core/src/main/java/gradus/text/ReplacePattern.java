package gradus.text;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a Replace normalizer or decoder looks for: a literal string ({"String": …}) or a regular expression ({"Regex": …}). */
record ReplacePattern(String source, boolean isRegex, Pattern compiled) {
    static ReplacePattern literal(String s) {
        return new ReplacePattern(s, false, Pattern.compile(Pattern.quote(s)));
    }

    static ReplacePattern read(JsonField f) {
        JsonField p = f.object();
        boolean isRegex = !p.get("Regex").isAbsent();
        if (!isRegex && p.get("String").isAbsent()) throw p.problem("expected {\"String\": ...} or {\"Regex\": ...}");
        String source = isRegex ? p.get("Regex").string() : p.get("String").string();
        if (source.isEmpty()) throw p.problem("the pattern must not be empty");
        try {
            return new ReplacePattern(source, isRegex, isRegex ? Unicode.regex(source) : Pattern.compile(Pattern.quote(source)));
        } catch (java.util.regex.PatternSyntaxException e) {
            throw p.get("Regex").problem("invalid regular expression: " + e.getDescription());
        }
    }

    String replaceAll(String text, String content) {
        return isRegex ? compiled.matcher(text).replaceAll(Matcher.quoteReplacement(content)) : text.replace(source, content);
    }

    Map<String, Object> toJson() {
        return Jsons.object(isRegex ? "Regex" : "String", source);
    }
}
