package gradus.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns text into token ids and back. Implementations save themselves as a Hugging Face {@code tokenizer.json};
 * {@link Tokenizers#load} reads such files back, whoever wrote them.
 */
public interface Tokenizer {
    /** The text's token ids, without special tokens, truncation or padding. */
    int[] encode(String text);

    /**
     * The text's encoding, with the special tokens of the post-processor ([CLS] … [SEP]) if asked; never truncated
     * or padded (that is {@link #encodeBatch}'s job, also for a single text).
     */
    Encoding encode(String text, boolean addSpecialTokens);

    /** Encodes several texts (in parallel) and truncates/pads them as {@code options} say. */
    BatchEncoding encodeBatch(List<String> texts, BatchOptions options);

    /** Encodes several texts with this tokenizer's own defaults ({@link #batchDefaults()}). */
    default BatchEncoding encodeBatch(List<String> texts) {
        return encodeBatch(texts, batchDefaults());
    }

    /** The truncation and padding saved with the tokenizer (the tokenizer.json "truncation" and "padding" sections). */
    BatchOptions batchDefaults();

    /** The text of the ids, special tokens included. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    /** The text of the ids; with {@code skipSpecialTokens}, special tokens and padding are left out. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Highest id + 1: the size of an embedding table that covers every id. */
    int vocabSize();

    /** The id of a token (added tokens included), or -1. */
    int tokenToId(String token);

    /** The token of an id, or null if no token has it. */
    String idToToken(int id);

    /** The special tokens' ids, -1 where the tokenizer has none. */
    int padId();

    int unkId();

    int clsId();

    int sepId();

    int bosId();

    int eosId();

    /** Writes a Hugging Face tokenizer.json, atomically. */
    void save(Path file) throws IOException;
}
