package gradus.text;

import java.util.Map;

/**
 * A token matched in the text before the model runs, such as "[SEP]" or "&lt;|endoftext|&gt;". {@code normalized}
 * tokens are looked for in the normalized text, the others in the raw text; {@code special} ones can be skipped when
 * decoding. {@code lstrip}/{@code rstrip} swallow the whitespace before/after; {@code singleWord} only matches whole words.
 */
public record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized, boolean special) {
    public AddedToken {
        if (content == null || content.isEmpty()) throw new IllegalArgumentException("an added token must not be empty");
        if (id < 0) throw new IllegalArgumentException("added token \"" + content + "\" has negative id " + id);
    }

    /** A special token as tokenizers usually declare them: matched in the raw text, nothing stripped. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, false, false, false, false, true);
    }

    static AddedToken read(JsonField f) {
        String content = f.get("content").string();
        if (content.isEmpty()) throw f.get("content").problem("an added token must not be empty");
        return new AddedToken(f.get("id").nonNegative(), content, f.get("single_word").boolOr(false), f.get("lstrip").boolOr(false),
                f.get("rstrip").boolOr(false), f.get("normalized").boolOr(true), f.get("special").boolOr(false));
    }

    Map<String, Object> toJson() {
        return Jsons.object("id", id, "content", content, "single_word", singleWord, "lstrip", lstrip, "rstrip", rstrip,
                "normalized", normalized, "special", special);
    }
}
