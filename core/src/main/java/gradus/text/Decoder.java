package gradus.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last stage of decoding: joins token strings back into text. Without a decoder tokens are joined with spaces.
 * As in Hugging Face, decoders chain: each turns the token strings into new strings ({@link #decodeChain}), and the
 * last result is concatenated.
 */
interface Decoder {
    String decode(List<String> tokens);

    /** This decoder's step in a {@link Sequence}; decoders that join everything return one string. */
    default List<String> decodeChain(List<String> tokens) {
        return List.of(decode(tokens));
    }

    Map<String, Object> toJson();

    static Decoder read(JsonField f) {
        return switch (f.type()) {
            case "WordPiece" -> new WordPiece(f.get("prefix").stringOr("##"), f.get("cleanup").boolOr(true));
            case "ByteLevel" -> new ByteLevelDecoder();
            case "Fuse" -> new Fuse();
            case "ByteFallback" -> new ByteFallback();
            case "Replace" -> {
                var pattern = ReplacePattern.read(f.get("pattern"));
                yield new Replace(pattern, f.get("content").string());
            }
            case "Strip" -> new Strip(f.get("content").string(), f.get("start").nonNegative(), f.get("stop").nonNegative());
            case "Sequence" -> {
                List<Decoder> parts = new ArrayList<>();
                for (JsonField part : f.get("decoders").array()) parts.add(read(part));
                yield new Sequence(parts);
            }
            default -> throw f.unsupportedType("WordPiece, ByteLevel, Fuse, ByteFallback, Replace, Strip, Sequence");
        };
    }

    /** Each token with a string or pattern replaced (SentencePiece's "▁" back to " "). */
    record Replace(ReplacePattern pattern, String content) implements Decoder {
        @Override
        public String decode(List<String> tokens) {
            return String.join("", decodeChain(tokens));
        }

        @Override
        public List<String> decodeChain(List<String> tokens) {
            return tokens.stream().map(t -> pattern.replaceAll(t, content)).toList();
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Replace", "pattern", pattern.toJson(), "content", content);
        }
    }

    /**
     * Byte tokens ("&lt;0xE2&gt;") back to bytes: each run of them is read as UTF-8, or becomes one U+FFFD per byte when
     * it is not valid UTF-8 (as Hugging Face does); other tokens pass through.
     */
    record ByteFallback() implements Decoder {
        @Override
        public String decode(List<String> tokens) {
            return String.join("", decodeChain(tokens));
        }

        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            int runTokens = 0;
            for (String t : tokens) {
                int b = byteToken(t);
                if (b >= 0) {
                    run.write(b);
                    runTokens++;
                    continue;
                }
                if (runTokens > 0) flush(run, runTokens, out);
                runTokens = 0;
                out.add(t);
            }
            if (runTokens > 0) flush(run, runTokens, out);
            return out;
        }

        private static void flush(ByteArrayOutputStream run, int count, List<String> out) {
            try {
                out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(run.toByteArray())).toString());
            } catch (CharacterCodingException e) {
                for (int i = 0; i < count; i++) out.add("\uFFFD");
            }
            run.reset();
        }

        /** The byte of a "&lt;0xHH&gt;" token, or -1. */
        static int byteToken(String t) {
            if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') return -1;
            int hi = Character.digit(t.charAt(3), 16), lo = Character.digit(t.charAt(4), 16);
            return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "ByteFallback");
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing copies of {@code content} from each token. */
    record Strip(String content, int start, int stop) implements Decoder {
        @Override
        public String decode(List<String> tokens) {
            return String.join("", decodeChain(tokens));
        }

        @Override
        public List<String> decodeChain(List<String> tokens) {
            return tokens.stream().map(this::strip).toList();
        }

        private String strip(String t) {
            int from = 0, to = t.length();
            for (int i = 0; i < start && t.startsWith(content, from) && !content.isEmpty(); i++) from += content.length();
            for (int i = 0; i < stop && to - content.length() >= from && t.startsWith(content, to - content.length()) && !content.isEmpty(); i++) {
                to -= content.length();
            }
            return t.substring(from, to);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Strip", "content", content, "start", start, "stop", stop);
        }
    }

    record Sequence(List<Decoder> parts) implements Decoder {
        @Override
        public String decode(List<String> tokens) {
            return String.join("", decodeChain(tokens));
        }

        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (Decoder d : parts) tokens = d.decodeChain(tokens);
            return tokens;
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Sequence", "decoders", parts.stream().map(Decoder::toJson).toList());
        }
    }

    /** Glues "##" continuations to the previous token, spaces the others; {@code cleanup} re-attaches punctuation. */
    record WordPiece(String prefix, boolean cleanup) implements Decoder {
        @Override
        public String decode(List<String> tokens) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (i > 0) t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
                out.append(cleanup ? cleanup(t) : t);
            }
            return out.toString();
        }

        /** BERT's detokenization of English punctuation and contractions. */
        static String cleanup(String s) {
            return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                    .replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't").replace(" 's", "'s")
                    .replace(" 've", "'ve").replace(" 're", "'re");
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "WordPiece", "prefix", prefix, "cleanup", cleanup);
        }
    }

    /** Maps the byte alphabet back to bytes and reads them as UTF-8 (invalid sequences become U+FFFD). */
    record ByteLevelDecoder() implements Decoder {
        @Override
        public String decode(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                boolean inAlphabet = t.chars().allMatch(c -> ByteLevel.byteOf((char) c) >= 0);
                if (inAlphabet) for (int i = 0; i < t.length(); i++) bytes.write(ByteLevel.byteOf(t.charAt(i)));
                else bytes.writeBytes(t.getBytes(StandardCharsets.UTF_8)); // an added token written as plain text
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", true, "use_regex", true);
        }
    }

    /** Concatenates the tokens as they are. */
    record Fuse() implements Decoder {
        @Override
        public String decode(List<String> tokens) {
            return String.join("", tokens);
        }

        @Override
        public Map<String, Object> toJson() {
            return Jsons.object("type", "Fuse");
        }
    }
}
