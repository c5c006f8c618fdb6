package gradus.text;

import gradus.files.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Reading and writing tokenizer.json: Hugging Face features, round trips through save, and errors for bad files. */
class TokenizerFileTest {
    @TempDir
    Path dir;

    static Tokenizer minilm;

    @org.junit.jupiter.api.BeforeAll
    static void loadMiniLm() throws IOException {
        minilm = Tokenizers.load(WordPieceTest.MINILM);
    }

    private Path write(String json) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json.replace('\'', '"'));
        return file;
    }

    /** A small RoBERTa-like byte-level BPE: merges as [a, b] arrays, a prefix space, <s> … </s>, an lstrip mask token. */
    private static final String ROBERTA_LIKE = """
            {'version': '1.0', 'truncation': null, 'padding': null,
             'added_tokens': [
               {'id': 0, 'content': '<s>', 'single_word': false, 'lstrip': false, 'rstrip': false, 'normalized': false, 'special': true},
               {'id': 1, 'content': '<pad>', 'single_word': false, 'lstrip': false, 'rstrip': false, 'normalized': false, 'special': true},
               {'id': 2, 'content': '</s>', 'single_word': false, 'lstrip': false, 'rstrip': false, 'normalized': false, 'special': true},
               {'id': 3, 'content': '<mask>', 'single_word': false, 'lstrip': true, 'rstrip': false, 'normalized': false, 'special': true}],
             'normalizer': null,
             'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': true, 'trim_offsets': true, 'use_regex': true},
             'post_processor': {'type': 'RobertaProcessing', 'sep': ['</s>', 2], 'cls': ['<s>', 0], 'trim_offsets': true, 'add_prefix_space': true},
             'decoder': {'type': 'ByteLevel', 'add_prefix_space': true, 'trim_offsets': true, 'use_regex': true},
             'model': {'type': 'BPE', 'dropout': null, 'unk_token': null, 'continuing_subword_prefix': null, 'end_of_word_suffix': null,
               'fuse_unk': false, 'byte_fallback': false,
               'vocab': {'<s>': 0, '<pad>': 1, '</s>': 2, '<mask>': 3, %s, 'Ġl': 260, 'Ġlo': 261, 'Ġlow': 262, 'er': 263, 'Ġlower': 264, 'es': 265, 'est': 266},
               'merges': [['Ġ', 'l'], ['Ġl', 'o'], ['Ġlo', 'w'], ['e', 'r'], ['Ġlow', 'er'], ['e', 's'], ['es', 't']]}}
            """;

    /** The 256 byte characters at ids 4..259, as JSON members (written by Jackson: the alphabet holds quotes). */
    private static String byteVocab() throws IOException {
        var vocab = new java.util.LinkedHashMap<String, Integer>();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevel.charOf(b)), 4 + b);
        String json = Jsons.MAPPER.writeValueAsString(vocab);
        return json.substring(1, json.length() - 1);
    }

    @Test
    void huggingFaceBpeFeaturesMatchTheReference() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, ROBERTA_LIKE.replace('\'', '"').formatted(byteVocab()));
        Tokenizer t = Tokenizers.load(file);
        assertInstanceOf(BpeTokenizer.class, t);
        assertEquals(0, t.bosId());
        assertEquals(2, t.eosId());
        assertEquals(1, t.padId());
        List<String> texts = List.of("lower lowest newest", "lower<mask> lowest   <mask>lower", "<s>lower</s>", " low", "ünïcödé 😀 lower");
        try (Djl reference = new Djl(file)) {
            for (String s : texts) {
                assertArrayEquals(reference.encode(s, false), t.encode(s), () -> "ids of \"" + s + "\"");
                assertArrayEquals(reference.encode(s, true), t.encode(s, true).ids(), () -> "ids with special tokens of \"" + s + "\"");
                int[] ids = t.encode(s, true).ids();
                assertEquals(reference.decode(ids, true), t.decode(ids, true));
            }
        }
        assertArrayEquals(new int[]{0, 264, 262, 266, 2}, t.encode("lower lowest", true).ids()); // <s> Ġlower Ġlow est </s>
    }

    @Test
    void addedTokenOptionsMatchTheReference() throws Exception {
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) Jsons.MAPPER.readTree(WordPieceTest.MINILM.toFile());
        var added = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens");
        String[][] tokens = { // content, single_word, lstrip, rstrip, normalized
                {"Gradus Rocks", "false", "false", "false", "true"}, {"<Raw>", "false", "false", "false", "false"},
                {"<L>", "false", "true", "false", "false"}, {"<R>", "false", "false", "true", "false"},
                {"word", "true", "false", "false", "false"}, {"Ünï", "false", "false", "false", "true"}};
        for (int i = 0; i < tokens.length; i++) {
            added.add(Jsons.MAPPER.valueToTree(Jsons.object("id", 30522 + i, "content", tokens[i][0], "single_word", Boolean.parseBoolean(tokens[i][1]),
                    "lstrip", Boolean.parseBoolean(tokens[i][2]), "rstrip", Boolean.parseBoolean(tokens[i][3]),
                    "normalized", Boolean.parseBoolean(tokens[i][4]), "special", false)));
        }
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, root.toString());
        Tokenizer t = Tokenizers.load(file);
        List<String> texts = List.of("I say GRADUS ROCKS, gradus   rocks and Gradus Rocks!", "<Raw> <raw> x<Raw>y", "a   <L>   b   <R>   c",
                "word words sword word_ a-word-b", "UNI ünï unï Ünï");
        try (Djl reference = new Djl(file)) {
            for (String s : texts) {
                assertArrayEquals(reference.encode(s, true), t.encode(s, true).ids(), () -> "ids of \"" + s + "\"");
                int[] ids = t.encode(s, true).ids();
                assertEquals(reference.decode(ids, true), t.decode(ids, true));
            }
        }
        assertEquals(30523, t.encode("<Raw>")[0]);
    }

    @Test
    void addedTokensOutsideTheVocabularyGetTheNextIdsWhateverTheFileSays() throws Exception {
        String flags = "'single_word': false, 'lstrip': false, 'rstrip': false, 'normalized': false";
        Path file = write("{'added_tokens': [{'id': 0, 'content': '<eos>', 'special': true, " + flags + "}, {'id': 7, 'content': '[UNK]', 'special': true, "
                + flags + "}, {'id': 1, 'content': '<sep>', 'special': false, " + flags + "}], " + WORD_LEVEL + "}");
        Tokenizer t = Tokenizers.load(file);
        assertEquals(2, t.eosId());
        assertEquals(0, t.tokenToId("[UNK]"));
        assertEquals(3, t.sepId());
        assertEquals(4, t.vocabSize());
        try (Djl reference = new Djl(file)) {
            assertArrayEquals(reference.encode("<eos>a<sep>", false), t.encode("<eos>a<sep>"));
        }
    }

    @Test
    void aSavedPipelineReadsBackIdenticallyHereAndInHuggingFace() throws Exception {
        Path file = dir.resolve("copy/tokenizer.json");
        minilm.save(file);
        Tokenizer again = Tokenizers.load(file);
        assertEquals(minilm.batchDefaults(), again.batchDefaults());
        try (Djl reference = new Djl(file)) {
            for (String s : WordPieceTest.SENTENCES) {
                assertArrayEquals(minilm.encode(s, true).ids(), again.encode(s, true).ids());
                assertArrayEquals(reference.encode(s, true), again.encode(s, true).ids());
            }
        }
        Path rewritten = dir.resolve("again.json");
        again.save(rewritten);
        assertEquals(Files.readString(file), Files.readString(rewritten));
    }

    @Test
    void truncationLeavesRoomForSpecialTokensAndPaddingGoesRight() throws Exception {
        Tokenizer t = minilm;
        BatchOptions options = BatchOptions.DEFAULT.truncateTo(5).padToLongest();
        BatchEncoding b = t.encodeBatch(List.of("one two three four five six", "one"), options);
        int one = t.tokenToId("one"), two = t.tokenToId("two"), three = t.tokenToId("three");
        assertArrayEquals(new int[]{101, one, two, three, 102}, b.get(0).ids());
        assertArrayEquals(new int[]{101, one, 102, 0, 0}, b.get(1).ids());
        assertArrayEquals(new int[]{1, 1, 1, 0, 0}, b.get(1).attentionMask());
        assertArrayEquals(new int[]{0, 0, 0, 0, 0}, b.get(1).typeIds());

        BatchEncoding raw = t.encodeBatch(List.of("one two three", "one"), BatchOptions.DEFAULT.withSpecialTokens(false).truncateTo(2));
        assertArrayEquals(new int[]{one, two}, raw.get(0).ids());
        assertArrayEquals(new int[]{one}, raw.get(1).ids());
        var ragged = assertThrows(IllegalStateException.class, raw::idsTensor);
        assertTrue(ragged.getMessage().contains("pad the batch"), ragged.getMessage());

        BatchEncoding multiple = t.encodeBatch(List.of("one two three"), BatchOptions.DEFAULT.padToLongest().padToMultipleOf(8));
        assertEquals(8, multiple.get(0).length());
        assertThrows(IllegalArgumentException.class, () -> t.encodeBatch(List.of("x"), BatchOptions.DEFAULT.truncateTo(1)));
    }

    @Test
    void unknownIdsAreRejectedWhenDecoding() throws Exception {
        Tokenizer t = minilm;
        var e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{101, 30522}));
        assertTrue(e.getMessage().contains("30522"), e.getMessage());
    }

    private void assertBadFile(String json, String expectedMessage) throws IOException {
        Path file = write(json);
        var e = assertThrows(FileFormatException.class, () -> Tokenizers.load(file));
        assertEquals(file + ": " + expectedMessage, e.getMessage());
    }

    private static final String WORD_LEVEL = "'model': {'type': 'WordLevel', 'vocab': {'[UNK]': 0, 'a': 1}, 'unk_token': '[UNK]'}";

    @Test
    void badFilesNameTheFileAndTheField() throws IOException {
        assertBadFile("{'model': {'type': 'WordPiece', 'vocab': [1, 2], 'unk_token': '[UNK]'}}", "model.vocab: expected an object, got array");
        assertBadFile("{'version': '1.0'}", "model: expected an object, but it is missing");
        assertBadFile("{'model': {'type': 'Unigram', 'vocab': []}}", "model.type: unsupported type \"Unigram\" (supported: WordPiece, BPE, WordLevel)");
        assertBadFile("{'normalizer': {'type': 'Precompiled'}, " + WORD_LEVEL + "}",
                "normalizer.type: unsupported type \"Precompiled\" (supported: BertNormalizer, Lowercase, StripAccents, NFC, NFD, NFKC, NFKD, Prepend, Replace, Sequence)");
        assertBadFile("{'pre_tokenizer': {'type': 'Metaspace'}, " + WORD_LEVEL + "}",
                "pre_tokenizer.type: unsupported type \"Metaspace\" (supported: BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Split, Sequence)");
        assertBadFile("{'decoder': {'type': 'CTC'}, " + WORD_LEVEL + "}", "decoder.type: unsupported type \"CTC\" (supported: WordPiece, ByteLevel, Fuse, ByteFallback, Replace, Strip, Sequence)");
        assertBadFile("{'model': {'type': 'WordPiece', 'vocab': {'a': 0}, 'unk_token': '[UNK]'}}", "model.unk_token: \"[UNK]\" is not in model.vocab");
        assertBadFile("{'model': {'type': 'WordLevel', 'vocab': {'a': 'zero'}}}", "model.vocab.a: expected an integer, got \"zero\"");
        assertBadFile("{'model': {'type': 'WordLevel', 'vocab': {'a': 0, 'b': 0}}}", "model.vocab: id 0 is given to both \"a\" and \"b\"");
        assertBadFile("{'model': {'type': 'BPE', 'vocab': {'a': 0, 'b': 1}, 'merges': ['a b c']}}",
                "model.merges[0]: expected two tokens separated by one space, got \"a b c\"");
        assertBadFile("{'model': {'type': 'BPE', 'vocab': {'a': 0, 'b': 1}, 'merges': [['a', 'b']]}}",
                "model.merges: merge 0 (\"a\", \"b\"): \"ab\" is not in the vocabulary");
        assertBadFile("{'added_tokens': [{'id': 0}], " + WORD_LEVEL + "}", "added_tokens[0].content: expected a string, but it is missing");
        assertBadFile("{'truncation': {'direction': 'Left', 'max_length': 5}, " + WORD_LEVEL + "}", "truncation.direction: only \"Right\" is supported, got \"Left\"");
        assertBadFile("{'padding': {'strategy': 'Sometimes', 'pad_token': '[UNK]'}, " + WORD_LEVEL + "}",
                "padding.strategy: expected \"BatchLongest\" or {\"Fixed\": length}");
        assertBadFile("{'post_processor': {'type': 'TemplateProcessing', 'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}], 'special_tokens': {}}, "
                + WORD_LEVEL + "}", "post_processor.special_tokens: \"[CLS]\" is used in the template but not defined here");
        assertBadFile("{'pre_tokenizer': {'type': 'Split', 'pattern': {'Regex': '(unclosed'}, 'behavior': 'Isolated'}, " + WORD_LEVEL + "}",
                "pre_tokenizer.pattern.Regex: invalid regular expression: Unclosed group");
        assertBadFile("{'decoder': {'type': 'Replace', 'pattern': {'String': ''}, 'content': ' '}, " + WORD_LEVEL + "}",
                "decoder.pattern: the pattern must not be empty");
    }

    @Test
    void unreadableJsonNamesTheFileAndPosition() throws IOException {
        Path file = write("{'model': {'type': 'WordLevel',,}}");
        var e = assertThrows(FileFormatException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().startsWith(file + ": invalid JSON at line 1, column 32"), e.getMessage());
        Path array = write("[1, 2]");
        assertEquals(array + ": expected a JSON object", assertThrows(FileFormatException.class, () -> Tokenizers.load(array)).getMessage());
    }
}
