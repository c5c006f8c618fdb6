package gradus.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The last stage of decoding: joins token strings back into text. Without a decoder tokens are joined with spaces. */
interface Decoder {
    String decode(List<String> tokens);

    Map<String, Object> toJson();

    static Decoder read(JsonField f) {
        return switch (f.type()) {
            case "WordPiece" -> new WordPiece(f.get("prefix").stringOr("##"), f.get("cleanup").boolOr(true));
            case "ByteLevel" -> new ByteLevelDecoder();
            case "Fuse" -> new Fuse();
            default -> throw f.unsupportedType("WordPiece, ByteLevel, Fuse");
        };
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
