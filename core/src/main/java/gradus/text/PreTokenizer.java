package gradus.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The second pipeline stage: splits normalized text into the pieces ("words") the model tokenizes one by one. */
interface PreTokenizer {
    void split(String text, List<String> out);

    Map<String, Object> toJson();

    static PreTokenizer read(JsonField f) {
        return switch (f.type()) {
            case "BertPreTokenizer" -> new Bert();
            case "ByteLevel" -> new ByteLevelSplit(f.get("add_prefix_space").boolOr(true), f.get("trim_offsets").boolOr(true),
                    f.get("use_regex").boolOr(true));
            case "Whitespace" -> new Whitespace();
            case "WhitespaceSplit" -> new WhitespaceSplit();
            case "Split" -> Split.read(f);
            case "Sequence" -> {
                List<PreTokenizer> parts = new ArrayList<>();
                for (JsonField part : f.get("pretokenizers").array()) parts.add(read(part));
                yield new Sequence(parts);
            }
            default -> throw f.unsupportedType("BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Split, Sequence");
        };
    }

    /** Splits on whitespace and makes every punctuation character a piece of its own. */
    record Bert() implements PreTokenizer {
        @Override
        public void split(String text, List<String> out) {
            int start = 0;
            for (int i = 0; i < text.length(); ) {
                int c = text.codePointAt(i);
                int next = i + Character.charCount(c);
                boolean space = Unicode.isWhiteSpace(c);
                if (space || Unicode.isPunctuation(c)) {
                    if (start < i) out.add(text.substring(start, i));
                    if (!space) out.add(text.substring(i, next));
                    start = next;
                }
                i = next;
            }
            if (start < text.length()) out.add(text.substring(start));
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "BertPreTokenizer");
        }
    }

    /** GPT-2's split, then every piece rewritten in the byte alphabet (see {@link ByteLevel}). */
    record ByteLevelSplit(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) implements PreTokenizer {
        @Override
        public void split(String text, List<String> out) {
            if (addPrefixSpace && !text.startsWith(" ")) text = " " + text;
            if (!useRegex) {
                if (!text.isEmpty()) out.add(ByteLevel.encode(text));
                return;
            }
            Matcher m = ByteLevel.GPT2_SPLIT.matcher(text);
            while (m.find()) out.add(ByteLevel.encode(text.substring(m.start(), m.end())));
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "ByteLevel", "add_prefix_space", addPrefixSpace, "trim_offsets", trimOffsets, "use_regex", useRegex);
        }
    }

    /** Word characters runs and runs of other non-space characters. */
    record Whitespace() implements PreTokenizer {
        private static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

        @Override
        public void split(String text, List<String> out) {
            Matcher m = WORDS.matcher(text);
            while (m.find()) out.add(m.group());
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Whitespace");
        }
    }

    record WhitespaceSplit() implements PreTokenizer {
        @Override
        public void split(String text, List<String> out) {
            int start = -1;
            for (int i = 0; i < text.length(); ) {
                int c = text.codePointAt(i);
                if (Unicode.isWhiteSpace(c)) {
                    if (start >= 0) out.add(text.substring(start, i));
                    start = -1;
                } else if (start < 0) {
                    start = i;
                }
                i += Character.charCount(c);
            }
            if (start >= 0) out.add(text.substring(start));
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "WhitespaceSplit");
        }
    }

    /**
     * Splits around the matches of a pattern; {@code behavior} says what becomes of the matches (Removed, Isolated,
     * MergedWithPrevious, MergedWithNext, Contiguous). With {@code invert} the matches are the pieces kept apart.
     */
    record Split(String pattern, boolean isRegex, String behavior, boolean invert, Pattern compiled) implements PreTokenizer {
        private static final List<String> BEHAVIORS = List.of("Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous");

        static Split of(String regex, String behavior, boolean invert) {
            return new Split(regex, true, behavior, invert, Unicode.regex(regex));
        }

        static Split read(JsonField f) {
            JsonField p = f.get("pattern").object();
            boolean isRegex = !p.get("Regex").isAbsent();
            if (!isRegex && p.get("String").isAbsent()) throw p.problem("expected {\"String\": ...} or {\"Regex\": ...}");
            String pattern = isRegex ? p.get("Regex").string() : p.get("String").string();
            String behavior = f.get("behavior").string();
            if (!BEHAVIORS.contains(behavior)) throw f.get("behavior").problem("unsupported behavior \"" + behavior + "\" (supported: " + String.join(", ", BEHAVIORS) + ")");
            Pattern compiled;
            try {
                compiled = isRegex ? Unicode.regex(pattern) : Pattern.compile(Pattern.quote(pattern));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw p.get("Regex").problem("invalid regular expression: " + e.getDescription());
            }
            return new Split(pattern, isRegex, behavior, f.get("invert").boolOr(false), compiled);
        }

        @Override
        public void split(String text, List<String> out) {
            // Segments alternate between text around matches and the matches themselves ("delimiters").
            List<int[]> segments = new ArrayList<>();
            Matcher m = compiled.matcher(text);
            int last = 0;
            while (m.find()) {
                if (m.end() == m.start()) continue;
                if (m.start() > last) segments.add(new int[]{last, m.start(), invert ? 1 : 0});
                segments.add(new int[]{m.start(), m.end(), invert ? 0 : 1});
                last = m.end();
            }
            if (last < text.length()) segments.add(new int[]{last, text.length(), invert ? 1 : 0});
            int pendingStart = -1; // MergedWithNext: where the delimiter waiting for the next piece starts
            for (int i = 0; i < segments.size(); i++) {
                int[] s = segments.get(i);
                boolean delimiter = s[2] == 1;
                switch (behavior) {
                    case "Removed" -> {
                        if (!delimiter) out.add(text.substring(s[0], s[1]));
                    }
                    case "Isolated" -> out.add(text.substring(s[0], s[1]));
                    case "MergedWithPrevious" -> {
                        if (delimiter && i > 0 && segments.get(i - 1)[2] == 0) out.set(out.size() - 1, out.getLast() + text.substring(s[0], s[1]));
                        else out.add(text.substring(s[0], s[1]));
                    }
                    case "MergedWithNext" -> {
                        if (delimiter && i + 1 < segments.size() && segments.get(i + 1)[2] == 0) pendingStart = s[0];
                        else {
                            out.add(text.substring(pendingStart >= 0 ? pendingStart : s[0], s[1]));
                            pendingStart = -1;
                        }
                    }
                    default -> { // Contiguous: neighbouring delimiters form one piece
                        if (delimiter && i > 0 && segments.get(i - 1)[2] == 1) out.set(out.size() - 1, out.getLast() + text.substring(s[0], s[1]));
                        else out.add(text.substring(s[0], s[1]));
                    }
                }
            }
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Split", "pattern", Jsons.object(isRegex ? "Regex" : "String", pattern),
                    "behavior", behavior, "invert", invert);
        }
    }

    record Sequence(List<PreTokenizer> parts) implements PreTokenizer {
        @Override
        public void split(String text, List<String> out) {
            List<String> pieces = List.of(text);
            for (PreTokenizer p : parts) {
                List<String> next = new ArrayList<>();
                for (String piece : pieces) p.split(piece, next);
                pieces = next;
            }
            out.addAll(pieces);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Sequence", "pretokenizers", parts.stream().map(PreTokenizer::toJson).toList());
        }
    }
}
