package gradus.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CharTokenizerTest {
    @TempDir
    Path dir;

    static final CharTokenizer CHARS = CharTokenizer.train(List.of("hello world\n", "Ωmega 😀!"));

    @Test
    void vocabularyIsTheSortedCharactersThenUnknown() {
        String expected = "\n !adeghlmorwΩ😀";
        int[] cps = expected.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) assertEquals(Character.toString(cps[i]), CHARS.idToToken(i));
        assertEquals(cps.length, CHARS.unkId());
        assertEquals(CharTokenizer.UNKNOWN, CHARS.idToToken(cps.length));
        assertEquals(cps.length + 1, CHARS.vocabSize());
        assertEquals(-1, CHARS.padId());
    }

    @Test
    void knownTextRoundTripsAndUnknownCharactersAreReported() {
        String text = "hello Ωmega 😀\nworld!";
        int[] ids = CHARS.encode(text);
        assertEquals(text.codePointCount(0, text.length()), ids.length);
        assertEquals(text, CHARS.decode(ids));
        assertEquals(0, CHARS.unknownCodePoints(text).length);

        int[] withUnknown = CHARS.encode("hi€é€");
        assertArrayEquals(new int[]{CHARS.tokenToId("h"), CHARS.unkId(), CHARS.unkId(), CHARS.unkId(), CHARS.unkId()}, withUnknown);
        assertArrayEquals(new int[]{'i', 'é', '€'}, CHARS.unknownCodePoints("hi€é€"));
    }

    @Test
    void specialLookingTextIsJustCharacters() {
        int[] ids = CHARS.encode("[UNK]");
        assertEquals(5, ids.length); // '[' 'U' 'N' 'K' ']' are unknown characters, not the unknown token's text
    }

    @Test
    void savesAndLoadsAsACharTokenizerThatHuggingFaceReadsAlike() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        CHARS.save(file);
        Tokenizer loaded = Tokenizers.load(file);
        CharTokenizer again = assertInstanceOf(CharTokenizer.class, loaded);
        String text = "hello Ωmega 😀\r\nworld! [UNK] é";
        assertArrayEquals(CHARS.encode(text), again.encode(text));
        try (Djl reference = new Djl(file)) {
            assertArrayEquals(reference.encode(text, false), CHARS.encode(text));
            int[] known = CHARS.encode("hello world\n😀");
            assertEquals(reference.decode(known, false), CHARS.decode(known));
        }
    }
}
