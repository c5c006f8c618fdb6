package gradus.text;

import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The first pipeline stage: rewrites the text (case, accents, Unicode form) before it is split. */
interface Normalizer {
    String apply(String text);

    /** The tokenizer.json object that describes this normalizer. */
    Map<String, Object> toJson();

    static Normalizer read(JsonField f) {
        return switch (f.type()) {
            case "BertNormalizer" -> new Bert(f.get("clean_text").boolOr(true), f.get("handle_chinese_chars").boolOr(true),
                    f.get("strip_accents").isAbsent() ? null : f.get("strip_accents").bool(), f.get("lowercase").boolOr(true));
            case "Lowercase" -> new Lowercase();
            case "StripAccents" -> new StripAccents();
            case "NFC", "NFD", "NFKC", "NFKD" -> new UnicodeForm(Form.valueOf(f.type()));
            case "Prepend" -> new Prepend(f.get("prepend").string());
            case "Replace" -> new Replace(ReplacePattern.read(f.get("pattern")), f.get("content").string());
            case "Sequence" -> {
                List<Normalizer> parts = new ArrayList<>();
                for (JsonField part : f.get("normalizers").array()) parts.add(read(part));
                yield new Sequence(parts);
            }
            default -> throw f.unsupportedType("BertNormalizer, Lowercase, StripAccents, NFC, NFD, NFKC, NFKD, Prepend, Replace, Sequence");
        };
    }

    /** BERT's cleanup: drop control characters, unify whitespace, space out CJK ideographs, strip accents, lowercase. */
    record Bert(boolean cleanText, boolean handleChineseChars, Boolean stripAccents, boolean lowercase) implements Normalizer {
        @Override
        public String apply(String text) {
            StringBuilder out = new StringBuilder(text.length() + 16);
            for (int i = 0; i < text.length(); ) {
                int c = text.codePointAt(i);
                i += Character.charCount(c);
                if (cleanText) {
                    if (c == 0 || c == 0xFFFD || Unicode.isControl(c)) continue;
                    if (Unicode.isWhiteSpace(c)) c = ' ';
                }
                if (handleChineseChars && Unicode.isChinese(c)) out.append(' ').appendCodePoint(c).append(' ');
                else out.appendCodePoint(c);
            }
            String s = out.toString();
            // As in BERT, accents go whenever lowercasing unless strip_accents says otherwise.
            if (stripAccents == null ? lowercase : stripAccents) s = StripAccents.strip(s);
            return lowercase ? Unicode.lowercase(s) : s;
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "BertNormalizer", "clean_text", cleanText, "handle_chinese_chars", handleChineseChars,
                    "strip_accents", stripAccents, "lowercase", lowercase);
        }
    }

    record Lowercase() implements Normalizer {
        @Override
        public String apply(String text) {
            return Unicode.lowercase(text);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Lowercase");
        }
    }

    /** Decomposes (NFD) and drops the non-spacing marks: "café" becomes "cafe". */
    record StripAccents() implements Normalizer {
        static String strip(String s) {
            String d = java.text.Normalizer.normalize(s, Form.NFD);
            StringBuilder out = new StringBuilder(d.length());
            for (int i = 0; i < d.length(); ) {
                int c = d.codePointAt(i);
                i += Character.charCount(c);
                if (Character.getType(c) != Character.NON_SPACING_MARK) out.appendCodePoint(c);
            }
            return out.toString();
        }

        @Override
        public String apply(String text) {
            return strip(text);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "StripAccents");
        }
    }

    record UnicodeForm(Form form) implements Normalizer {
        @Override
        public String apply(String text) {
            return java.text.Normalizer.normalize(text, form);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", form.name());
        }
    }

    /** Puts {@code prepend} before non-empty text (SentencePiece's "▁" that marks the first word as a word start). */
    record Prepend(String prepend) implements Normalizer {
        @Override
        public String apply(String text) {
            return text.isEmpty() ? text : prepend + text;
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Prepend", "prepend", prepend);
        }
    }

    /** Replaces every match of a string or pattern (SentencePiece's " " → "▁"). */
    record Replace(ReplacePattern pattern, String content) implements Normalizer {
        @Override
        public String apply(String text) {
            return pattern.replaceAll(text, content);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Replace", "pattern", pattern.toJson(), "content", content);
        }
    }

    record Sequence(List<Normalizer> parts) implements Normalizer {
        @Override
        public String apply(String text) {
            for (Normalizer n : parts) text = n.apply(text);
            return text;
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Sequence", "normalizers", parts.stream().map(Normalizer::toJson).toList());
        }
    }
}
