package gradus.text;

import java.util.Map;

/** Each piece is one token, looked up whole; pieces not in the vocabulary become the unknown token. */
record WordLevelModel(Vocab vocab, String unkToken, int unkId) implements Model {
    WordLevelModel(Vocab vocab, String unkToken) {
        this(vocab, unkToken, unkToken == null ? -1 : vocab.id(unkToken));
    }

    static WordLevelModel read(JsonField f) {
        Vocab vocab = Vocab.read(f.get("vocab"));
        String unk = f.get("unk_token").stringOr(null);
        if (unk != null && vocab.id(unk) < 0) throw f.get("unk_token").problem("\"" + unk + "\" is not in model.vocab");
        return new WordLevelModel(vocab, unk);
    }

    @Override
    public void tokenize(String piece, IntList out) {
        int id = vocab.id(piece);
        if (id < 0) {
            if (unkId < 0) throw new IllegalArgumentException("\"" + piece + "\" is not in the vocabulary and there is no unknown token");
            id = unkId;
        }
        out.add(id);
    }

    @Override
    public Map<String, Object> toJson() {
        return Jsons.object("type", "WordLevel", "vocab", vocab.toJson(), "unk_token", unkToken);
    }
}
