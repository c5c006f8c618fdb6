package gradus.text;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gradus.fuzz.Fuzzer;
import gradus.files.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * Issue 13: tokenizer.json fuzzed through {@link Tokenizers#load} and a padded batch encode. Seeds: the real
 * all-MiniLM-L6-v2 tokenizer.json (its vocabulary cut to 400 entries so each mutant parses fast; every other field as
 * published) and the files Gradus writes for its char, word and BPE tokenizers. Any input may cost at most
 * 64 × its length + 32 MB of allocation; only {@link FileFormatException} may escape.
 */
class TokenizerJsonFuzzTest {
    private static final List<String> TEXTS = List.of("Hello, world! Lower the lowest ﬁ café", "a");

    @TempDir
    Path dir;

    @Test
    void tokenizerJsonNeverEscapesOrOverAllocates() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Fuzzer.of("tokenizer-json", bytes -> {
                    Files.write(file, bytes);
                    Tokenizer t = Tokenizers.load(file);
                    BatchEncoding batch;
                    try {
                        batch = t.encodeBatch(TEXTS);
                    } catch (IllegalStateException e) { // the one documented refusal of a valid file
                        if (!String.valueOf(e.getMessage()).startsWith("cannot pad")) throw e;
                        batch = t.encodeBatch(TEXTS, t.batchDefaults().noPadding());
                    }
                    t.decode(batch.get(0).ids());
                })
                .seed(trimmedMiniLm())
                .seed(saved(CharTokenizer.train(TEXTS)))
                .seed(saved(WordTokenizer.train(TEXTS, 50)))
                .seed(saved(BpeTokenizer.train(TEXTS, 300, 1, List.of("<pad>"))))
                .expect(FileFormatException.class)
                .dictionary("\"vocab\"", "\"merges\"", "\"padding\"", "\"truncation\"", "\"Fixed\"", "\"BatchLongest\"",
                        "\"pad_to_multiple_of\"", "\"max_length\"", "\"added_tokens\"", "\"special_tokens\"", "\"ids\"",
                        "\"type\"", "\"WordPiece\"", "\"BPE\"", "\"WordLevel\"", "\"ByteLevel\"", "\"Sequence\"",
                        "\"TemplateProcessing\"", "\"max_input_chars_per_word\"", "\"unk_token\"")
                .iterations(3000)
                .allocationLimit(64, 32L << 20)
                .run();
    }

    /** The real MiniLM tokenizer.json with the vocabulary cut to its first 400 entries (special tokens included). */
    private static byte[] trimmedMiniLm() throws IOException {
        var root = (ObjectNode) Jsons.MAPPER.readTree(WordPieceTest.MINILM.toFile());
        var vocab = (ObjectNode) root.get("model").get("vocab");
        int kept = 0;
        for (Iterator<String> it = vocab.fieldNames(); it.hasNext(); ) {
            String token = it.next();
            if (++kept > 400 && !token.startsWith("[")) it.remove();
        }
        return Jsons.PRETTY.writeValueAsBytes(root);
    }

    private byte[] saved(Tokenizer t) throws IOException {
        Path file = Files.createTempFile(dir, "seed", ".json");
        t.save(file);
        return Files.readAllBytes(file);
    }
}
