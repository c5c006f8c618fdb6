package gradus.text;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgufArray;
import gradus.io.gguf.GgufValueType;
import gradus.io.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GGUF tokenizers' rules on a tiny hand-made vocabulary (the real vocabularies are checked against llama.cpp in
 * {@link TokenizerVsReferenceTest}), and the errors for metadata that does not describe a usable tokenizer.
 */
class GgufTokenizerTest {
    @TempDir
    Path dir;

    /** &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, the 256 byte tokens, then pieces with scores that make "▁ab" win over "▁a"+"b" merges. */
    private static void sentencePiece(GgufWriter w) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) tokens.add(String.format("<0x%02X>", b));
        tokens.addAll(List.of("▁", "a", "b", "c", "▁a", "ab", "▁ab", "bc"));
        float[] scores = new float[tokens.size()];
        long[] types = new long[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) types[i] = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1;
        int base = 259;
        // "ab" scores above "▁a", so "▁ab" comes from "▁" + "ab"; "bc" scores highest of all.
        scores[base + 4] = -5; scores[base + 5] = -2; scores[base + 6] = -3; scores[base + 7] = -1;
        w.putString("tokenizer.ggml.model", "llama")
                .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, tokens.toArray(String[]::new)))
                .putArray("tokenizer.ggml.scores", new GgufArray(GgufValueType.FLOAT32, scores))
                .putArray("tokenizer.ggml.token_type", new GgufArray(GgufValueType.INT32, types))
                .putUint32("tokenizer.ggml.bos_token_id", 1).putUint32("tokenizer.ggml.eos_token_id", 2)
                .putUint32("tokenizer.ggml.unknown_token_id", 0);
    }

    private Path write(Consumer<GgufWriter> metadata) throws Exception {
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama");
        metadata.accept(w);
        Path file = dir.resolve("t" + System.nanoTime() + ".gguf");
        w.write(file);
        return file;
    }

    @Test
    void sentencePieceMergesByScoreAndFallsBackToBytes() throws Exception {
        Tokenizer t = GgufTokenizer.load(write(GgufTokenizerTest::sentencePiece));
        int sp = 259, a = 260, b = 261, c = 262, spA = 263, ab = 264, spAb = 265, bc = 266;
        // "▁abc": bc (-1) first, then nothing joins "▁"+"a" (-5) ... "▁a" is the only pair left: ▁a, bc.
        assertArrayEquals(new int[] {spA, bc}, t.encode("abc"));
        // "▁ab": ab (-2) beats ▁a (-5), then ▁ + ab = ▁ab (-3).
        assertArrayEquals(new int[] {spAb}, t.encode("ab"));
        // "é" is not a piece: its two UTF-8 bytes; a space inside becomes "▁" (then "▁a" is a piece).
        assertArrayEquals(new int[] {sp, 3 + 0xC3, 3 + 0xA9, spA}, t.encode("é a"));
        assertArrayEquals(new int[] {sp, spA}, t.encode(" a"), "a leading space: \"▁▁a\"");
        assertArrayEquals(new int[] {a, b}, new int[] {t.tokenToId("a"), t.tokenToId("b")});
        // Special tokens are matched whole, and the text after one gets its own leading "▁".
        assertArrayEquals(new int[] {1, spAb, 2}, t.encode("<s>ab</s>"));
        assertArrayEquals(new int[] {1, spAb}, t.encode("ab", true).ids(), "BOS added by default for llama");
        assertEquals("é ab", t.decode(t.encode("é ab")));
        assertEquals(c, t.tokenToId("c"));
        assertEquals(ab, t.tokenToId("ab"));
    }

    /**
     * llama.cpp reads gpt2 merges as string pairs: parts and results need not be tokens. "é" (bytes C3 A9, "Ã©") and
     * "…" (E2 80 A6, "âĢ¦") are tokens built from byte characters that are not; "ab" is merged but no token, so it
     * falls back to its one-byte characters; "x" is no token at all and is dropped.
     */
    @Test
    void gpt2MergesAreStringPairsAsInLlamaCpp() throws Exception {
        String[] tokens = {"a", "b", "\u00c3\u00a9", "\u00e2\u0122\u00a6", "\u0120"};
        String[] merges = {"\u00c3 \u00a9", "\u00e2 \u0122", "\u00e2\u0122 \u00a6", "a b"};
        Tokenizer t = GgufTokenizer.load(write(w -> w.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
                .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, tokens))
                .putArray("tokenizer.ggml.merges", new GgufArray(GgufValueType.STRING, merges))));
        assertArrayEquals(new int[] {2, 0, 3, 4, 0, 1, 1}, t.encode("\u00e9a\u2026 abxb"));
        assertEquals("\u00e9a\u2026 ab", t.decode(new int[] {2, 0, 3, 4, 0, 1}));
    }

    @Test
    void badMetadataIsNamed() throws Exception {
        assertBad(w -> w.putString("tokenizer.ggml.model", "bert").putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, new String[] {"a"})),
                "metadata tokenizer.ggml.model: bert is not supported (llama, gpt2 are)");
        assertBad(w -> w.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "falcon")
                        .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, new String[] {"a"})),
                "metadata tokenizer.ggml.pre: falcon is not supported (llama-bpe, qwen2, gpt-2 are)");
        assertBad(w -> w.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
                        .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, new String[] {"a"})),
                "metadata tokenizer.ggml.merges: missing");
        assertBad(w -> w.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
                        .putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, new String[] {"a"}))
                        .putArray("tokenizer.ggml.merges", new GgufArray(GgufValueType.STRING, new String[] {"ab"})),
                "metadata tokenizer.ggml.merges[0]: expected two tokens separated by a space");
        assertBad(w -> {
            sentencePiece(w);
            w.putArray("tokenizer.ggml.token_type", new GgufArray(GgufValueType.INT32, new long[] {1, 1}));
        }, "metadata tokenizer.ggml.token_type: 2 entries for 267 tokens");
        assertBad(w -> {
            sentencePiece(w);
            w.putArray("tokenizer.ggml.scores", new GgufArray(GgufValueType.FLOAT32, new float[3]));
        }, "metadata tokenizer.ggml.scores: 3 entries for 267 tokens");
        assertBad(w -> {
            sentencePiece(w);
            w.putUint32("tokenizer.ggml.bos_token_id", 5000);
        }, "metadata tokenizer.ggml.bos_token_id: id 5000 is outside the vocabulary of 267 tokens");
        assertBad(w -> {
            sentencePiece(w);
            w.putString("tokenizer.ggml.add_bos_token", "yes");
        }, "metadata tokenizer.ggml.add_bos_token: expected a BOOL, got STRING");
        assertBad(w -> w.putString("tokenizer.ggml.model", "llama"), "metadata tokenizer.ggml.tokens: missing");
    }

    private void assertBad(Consumer<GgufWriter> metadata, String message) throws Exception {
        Path file = write(metadata);
        var e = assertThrows(FileFormatException.class, () -> GgufTokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage() + "\n  expected: " + message);
    }
}
