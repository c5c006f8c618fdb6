package gradus.text;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** all-MiniLM-L6-v2's WordPiece tokenizer.json, compared id for id with Hugging Face's own implementation. */
class WordPieceTest {
    static final Path MINILM = Path.of("src/test/resources/text/all-minilm-l6-v2-tokenizer.json");
    static final List<String> SENTENCES = List.of(
            "Hello, world!",
            "The quick brown fox jumps over the lazy dog.",
            "Café crème brûlée à la carte, naïve façade, Ångström, Łódź",
            "中文分词测试：我爱北京天安门。日本語のテキスト、한국어 텍스트",
            "Don't stop-believing; it's 3.14159 (approx.) -- $100 + 50% = ???",
            "supercalifragilisticexpialidocious antidisestablishmentarianism",
            "a".repeat(101) + " " + "b".repeat(100) + " pneumonoultramicroscopicsilicovolcanoconiosis",
            "first sentence [SEP] second sentence [CLS][MASK] [UNK] [pad] [PAD]",
            "emoji 😀🎉👍🏽 and symbols ™ © ® ∑ ∫ → ≠",
            "  whitespace\t\truns\n\n\nand   spaces\u00a0nbsp\u3000ideographic  ",
            "control\u0000chars\u0007and\u200bzero\ufeffwidth\ufffdreplacement",
            "ÀÉÎÕÜ ǅ İstanbul ΣΊΣΥΦΟΣ Straße ﬁnance ｆｕｌｌｗｉｄｔｈ",
            "e-mail: someone@example.com, url: https://example.org/a?b=c&d=e#frag",
            "",
            "   ",
            "unaffable unbelievable tokenization tokenizers transformers");

    static Tokenizer gradus;
    static Djl reference;

    @BeforeAll
    static void load() throws Exception {
        gradus = Tokenizers.load(MINILM);
        reference = new Djl(MINILM);
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @Test
    void idsMatchHuggingFace() {
        for (String s : SENTENCES) {
            assertArrayEquals(reference.encode(s, false), gradus.encode(s), () -> "ids of \"" + s + "\"");
            Encoding e = gradus.encode(s, true);
            assertArrayEquals(reference.encode(s, true), e.ids(), () -> "ids with special tokens of \"" + s + "\"");
            assertArrayEquals(reference.typeIds(s), e.typeIds(), () -> "type ids of \"" + s + "\"");
        }
    }

    @Test
    void decodingMatchesHuggingFace() {
        for (String s : SENTENCES) {
            int[] ids = gradus.encode(s, true).ids();
            assertEquals(reference.decode(ids, false), gradus.decode(ids), () -> "decode of \"" + s + "\"");
            assertEquals(reference.decode(ids, true), gradus.decode(ids, true), () -> "decode skipping specials of \"" + s + "\"");
        }
    }

    @Test
    void knownIdsAndSpecialTokens() {
        // Independent of the reference library: ids from the vocabulary of bert-base-uncased.
        assertArrayEquals(new int[]{101, 7592, 1010, 2088, 999, 102}, gradus.encode("Hello, world!", true).ids());
        assertEquals(30522, gradus.vocabSize());
        assertEquals(0, gradus.padId());
        assertEquals(100, gradus.unkId());
        assertEquals(101, gradus.clsId());
        assertEquals(102, gradus.sepId());
        assertEquals(-1, gradus.bosId());
        assertEquals("hello", gradus.idToToken(7592));
        assertEquals(7592, gradus.tokenToId("hello"));
        assertEquals(-1, gradus.tokenToId("no such token"));
        assertInstanceOf(PipelineTokenizer.class, gradus);
    }

    @Test
    void theFilesTruncationAndPaddingAreTheBatchDefaults() {
        BatchOptions d = gradus.batchDefaults();
        assertEquals(128, d.maxLength());
        assertEquals(BatchOptions.Padding.FIXED, d.padding());
        assertEquals(128, d.padLength());
        BatchEncoding b = gradus.encodeBatch(List.of("Hello, world!", "word ".repeat(300)));
        assertArrayEquals(new int[]{2, 128}, b.idsTensor().shape());
        int[] first = b.get(0).ids();
        assertEquals(102, first[5]);
        assertEquals(0, first[6]);
        assertEquals(1, b.get(0).attentionMask()[5]);
        assertEquals(0, b.get(0).attentionMask()[6]);
        int[] second = b.get(1).ids();
        assertEquals(101, second[0]);
        assertEquals(102, second[127]); // truncated to 126 words, then [SEP]
        assertEquals(2773, second[126]);
    }
}
