package gradus.text;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BpeTokenizerTest {
    static final List<String> SPECIALS = List.of("<|endoftext|>", "<pad>");
    static final List<String> STRINGS = List.of(
            "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse,",
            "I'll, you've, they're, she'd, we'm, it's NOT 'quoted' 's",
            "  leading spaces, trailing spaces   ",
            "tabs\tand\nnewlines\r\n\n   \n mixed",
            "numbers 1234567890 3.14159 1,000,000 ١٢٣ ⅷ",
            "emoji 😀🎉👍🏽👨‍👩‍👧 flags 🇫🇷🇯🇵",
            "中文分词测试 日本語のテキスト 한국어 텍스트 Ελληνικά русский العربية עברית हिन्दी",
            "accents: café crème brûlée naïve façade Ångström Łódź",
            "control \u0000\u0001\u0007 chars and \u200b zero width \ufeff",
            "unicode spaces:\u00a0nbsp\u2003em\u3000ideographic\u2028line",
            "special <|endoftext|> in text<|endoftext|>twice <pad> <|endoftext",
            "whale whales whaling whaleman Whale WHALE",
            "!!!???...,,,;;;:::---___***",
            "x",
            "");

    static String chapter;
    static BpeTokenizer bpe;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() throws IOException {
        chapter = Files.readString(Path.of("src/test/resources/text/moby-dick-chapter-1.txt"));
        bpe = BpeTokenizer.train(List.of(chapter.split("\n\n")), 900, 2, SPECIALS);
    }

    @Test
    void vocabularyLayout() {
        assertEquals(900, bpe.vocabSize());
        assertEquals(900 - 2 - 256, bpe.merges().size());
        assertEquals(0, bpe.tokenToId("<|endoftext|>"));
        assertEquals(1, bpe.padId());
        assertEquals(0, bpe.eosId());
        assertEquals(-1, bpe.unkId());
        assertEquals("Ġ", bpe.idToToken(2 + ' ')); // the 256 bytes follow the special tokens, in byte order
        assertEquals("a", bpe.idToToken(2 + 'a'));
        for (String[] m : bpe.merges()) assertTrue(bpe.tokenToId(m[0] + m[1]) >= 258);
    }

    @Test
    void everyStringRoundTrips() {
        for (String s : STRINGS) assertEquals(s, bpe.decode(bpe.encode(s)), () -> "round trip of \"" + s + "\"");
        // Arbitrary code points, including supplementary ones, in random order.
        var rng = new java.util.Random(7);
        for (int trial = 0; trial < 50; trial++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                int c;
                do c = rng.nextInt(4) == 0 ? rng.nextInt(0x10FFFF) : rng.nextInt(0x3000);
                while (Character.getType(c) == Character.SURROGATE);
                sb.appendCodePoint(c);
            }
            String s = sb.toString();
            assertEquals(s, bpe.decode(bpe.encode(s)));
        }
    }

    @Test
    void savedFileGivesHuggingFaceTheSameIds() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        bpe.save(file);
        Tokenizer loaded = Tokenizers.load(file);
        assertInstanceOf(BpeTokenizer.class, loaded);
        try (Djl reference = new Djl(file)) {
            List<String> texts = new ArrayList<>(STRINGS);
            texts.addAll(Arrays.asList(chapter.split("(?<=[.;!?])\\s+")).subList(0, 60));
            // One 60,000-letter piece (as a base64 blob gives): merging must not be quadratic.
            StringBuilder blob = new StringBuilder();
            var rng = new java.util.Random(3);
            for (int i = 0; i < 60_000; i++) blob.append("thewhalesea".charAt(rng.nextInt(11)));
            texts.add(blob.toString());
            for (String s : texts) {
                int[] ids = bpe.encode(s);
                assertArrayEquals(reference.encode(s, false), ids, () -> "ids of \"" + s + "\"");
                assertArrayEquals(ids, loaded.encode(s), () -> "reloaded ids of \"" + s + "\"");
                assertEquals(reference.decode(ids, false), bpe.decode(ids));
                assertEquals(reference.decode(ids, true), bpe.decode(ids, true));
            }
            // A lone byte of a multi-byte character decodes to U+FFFD, as in Hugging Face.
            int[] half = {2 + 0xE4};
            assertEquals(reference.decode(half, false), bpe.decode(half));
        }
    }

    @Test
    void firstMergesOfATinyCorpus() {
        // "ab ab ab abc" → pieces ab, Ġab ×2, Ġabc: (a,b) occurs 4 times, then (Ġ,ab) 3 times, then (Ġab,c) once.
        BpeTokenizer t = BpeTokenizer.train(List.of("ab ab ab abc"), 300, 2, List.of());
        assertEquals(List.of("a b", "Ġ ab"), t.merges().stream().map(m -> m[0] + " " + m[1]).toList());
        t = BpeTokenizer.train(List.of("ab ab ab abc"), 300, 1, List.of());
        assertEquals(List.of("a b", "Ġ ab", "Ġab c"), t.merges().stream().map(m -> m[0] + " " + m[1]).toList());
        assertArrayEquals(new int[]{256, 257, 258}, t.encode("ab ab abc"));
    }

    @Test
    void incrementalCountsAgreeWithRecountingEveryMerge() {
        String text = chapter.substring(0, 4000);
        BpeTokenizer fast = BpeTokenizer.train(List.of(text), 256 + 150, 1, List.of());
        assertEquals(naiveMerges(text, 150), fast.merges().stream().map(m -> m[0] + " " + m[1]).toList());
    }

    /** The textbook algorithm: count every pair again before each merge; same tie rule (smaller ids first). */
    private static List<String> naiveMerges(String text, int count) {
        Map<String, Integer> words = new HashMap<>();
        List<String> pieces = new ArrayList<>();
        new PreTokenizer.ByteLevelSplit(false, true, true).split(text, pieces);
        for (String p : pieces) words.merge(p, 1, Integer::sum);
        List<String> vocab = new ArrayList<>();
        for (int b = 0; b < 256; b++) vocab.add(String.valueOf(ByteLevel.charOf(b)));
        List<List<Integer>> symbols = new ArrayList<>();
        List<Integer> freq = new ArrayList<>();
        words.forEach((w, f) -> {
            List<Integer> s = new ArrayList<>();
            for (char c : w.toCharArray()) s.add(ByteLevel.byteOf(c));
            symbols.add(s);
            freq.add(f);
        });
        List<String> merges = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            Map<Long, Long> pairs = new HashMap<>();
            for (int w = 0; w < symbols.size(); w++) {
                List<Integer> s = symbols.get(w);
                for (int i = 0; i + 1 < s.size(); i++) pairs.merge(BpeModel.pair(s.get(i), s.get(i + 1)), (long) freq.get(w), Long::sum);
            }
            long best = pairs.entrySet().stream().min((a, b) -> !a.getValue().equals(b.getValue())
                    ? Long.compare(b.getValue(), a.getValue()) : Long.compare(a.getKey(), b.getKey())).orElseThrow().getKey();
            int left = (int) (best >>> 32), right = (int) best, merged = vocab.size();
            merges.add(vocab.get(left) + " " + vocab.get(right));
            vocab.add(vocab.get(left) + vocab.get(right));
            for (List<Integer> s : symbols) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i) == left && s.get(i + 1) == right) {
                        s.set(i, merged);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }

    @Test
    void rejectsAVocabularyTooSmallForTheBytes() {
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(List.of("x"), 257, 1, SPECIALS));
        assertTrue(e.getMessage().contains("256 bytes"), e.getMessage());
    }
}
