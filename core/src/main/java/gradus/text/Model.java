package gradus.text;

import java.util.Map;

/** The pipeline stage that turns one pre-tokenized piece into token ids (WordPiece, BPE or WordLevel). */
interface Model {
    void tokenize(String piece, IntList out);

    Vocab vocab();

    /** The token the model emits for what it cannot represent, or null. */
    String unkToken();

    Map<String, Object> toJson();

    static Model read(JsonField f) {
        // Hugging Face omits the type of some models; the fields then tell which one it is.
        String type = f.object().get("type").isAbsent() ? (f.get("merges").isAbsent() ? null : "BPE") : f.type();
        if (type == null) throw f.get("type").problem("missing model type");
        return switch (type) {
            case "WordPiece" -> WordPieceModel.read(f);
            case "BPE" -> BpeModel.read(f);
            case "WordLevel" -> WordLevelModel.read(f);
            default -> throw f.unsupportedType("WordPiece, BPE, WordLevel");
        };
    }
}
