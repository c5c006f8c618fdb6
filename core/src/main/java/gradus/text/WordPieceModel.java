package gradus.text;

import java.util.Map;

/**
 * BERT's WordPiece: greedy longest-match-first from the left; pieces after the first carry a prefix ("##").
 * A word with no complete segmentation, or longer than {@code maxInputCharsPerWord}, is one unknown token.
 */
record WordPieceModel(Vocab vocab, String unkToken, int unkId, String prefix, int maxInputCharsPerWord) implements Model {

    static WordPieceModel read(JsonField f) {
        Vocab vocab = Vocab.read(f.get("vocab"));
        String unk = f.get("unk_token").string();
        int unkId = vocab.id(unk);
        if (unkId < 0) throw f.get("unk_token").problem("\"" + unk + "\" is not in model.vocab");
        int max = f.get("max_input_chars_per_word").isAbsent() ? 100 : f.get("max_input_chars_per_word").nonNegative();
        return new WordPieceModel(vocab, unk, unkId, f.get("continuing_subword_prefix").stringOr("##"), max);
    }

    @Override
    public void tokenize(String word, IntList out) {
        int chars = word.codePointCount(0, word.length());
        if (chars > maxInputCharsPerWord) {
            out.add(unkId);
            return;
        }
        int mark = out.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            int found = -1;
            while (end > start) {
                String sub = word.substring(start, end);
                found = vocab.id(start > 0 ? prefix + sub : sub);
                if (found >= 0) break;
                boolean pair = end - 2 >= start && Character.isLowSurrogate(word.charAt(end - 1)) && Character.isHighSurrogate(word.charAt(end - 2));
                end -= pair ? 2 : 1;
            }
            if (found < 0) {
                out.truncate(mark);
                out.add(unkId);
                return;
            }
            out.add(found);
            start = end;
        }
    }

    @Override
    public Map<String, Object> toJson() {
        return Jsons.object("type", "WordPiece", "unk_token", unkToken, "continuing_subword_prefix", prefix,
                "max_input_chars_per_word", maxInputCharsPerWord, "vocab", vocab.toJson());
    }
}
