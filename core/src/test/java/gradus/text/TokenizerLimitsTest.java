package gradus.text;

import gradus.files.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 13, item 13: a tokenizer.json may not make Gradus allocate far more than the file holds. */
class TokenizerLimitsTest {
    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json.replace('\'', '"'));
        return file;
    }

    private static String wordLevel(String vocab) {
        return "{'model': {'type': 'WordLevel', 'unk_token': 'a', 'vocab': {" + vocab + "}}}";
    }

    @Test
    void theLargestIntIdIsAClearErrorNamingTheFileAndKey() throws IOException {
        Path file = write(wordLevel("'a': 0, 'b': 2147483647"));
        var e = assertThrows(FileFormatException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("model.vocab.b") && e.getMessage().contains("2147483647"), e.getMessage());
    }

    @Test
    void aBillionIdFromASeventyByteFileIsRefusedBeforeAllocating() throws IOException {
        Path file = write(wordLevel("'a': 0, 'b': 1000000000"));
        assertTrue(Files.size(file) < 100, "a small file");
        var e = assertThrows(FileFormatException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().contains("model.vocab.b") && e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void idsWithSmallGapsStillLoad() throws IOException {
        Tokenizer t = Tokenizers.load(write(wordLevel("'a': 0, 'b': 5, 'c': 1000")));
        assertEquals(1001, t.vocabSize());
    }

    @Test
    void fixedPaddingAboveTheCapIsAClearError() throws IOException {
        Path file = write("{'padding': {'strategy': {'Fixed': 50000000}, 'pad_token': 'a'}, "
                + wordLevel("'a': 0").substring(1));
        var e = assertThrows(FileFormatException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().contains("padding.strategy.Fixed") && e.getMessage().contains("50000000"), e.getMessage());
    }

    @Test
    void aHugePadToMultipleOfIsAClearError() throws IOException {
        Path file = write("{'padding': {'strategy': 'BatchLongest', 'pad_to_multiple_of': 2147483647, 'pad_token': 'a'}, "
                + wordLevel("'a': 0").substring(1));
        var e = assertThrows(FileFormatException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().contains("padding.pad_to_multiple_of"), e.getMessage());
    }

    @Test
    void paddingInCodeIsCappedToo() {
        assertThrows(IllegalArgumentException.class, () -> BatchOptions.DEFAULT.padTo((1 << 20) + 1));
        assertEquals(1 << 20, BatchOptions.DEFAULT.padTo(1 << 20).padLength(), "the cap itself is allowed");
    }

    @Test
    void fixedPaddingWithinTheCapPads() throws IOException {
        Tokenizer t = Tokenizers.load(write("{'padding': {'strategy': {'Fixed': 4}, 'pad_token': 'a'}, "
                + wordLevel("'a': 0, 'b': 1").substring(1)));
        assertEquals(List.of(4), t.encodeBatch(List.of("b")).encodings().stream().map(Encoding::length).toList());
    }
}
