package gradus.models;

import gradus.autograd.GradMode;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;
import gradus.text.BatchOptions;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** all-MiniLM-L6-v2 built natively from its ONNX file's weights, side by side with ONNX Runtime on the same file. */
class BertMiniLmTest {
    static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Call me Ishmael.",
            "Some years ago, never mind how long precisely, having little or no money in my purse, I thought I would sail about.",
            "Whales!");
    private static Bert bert;
    private static Tokenizer tokenizer;
    private static MiniLm ort;

    @BeforeAll
    static void load() throws Exception {
        bert = BertWeights.fromOnnx(MiniLm.model(), null);
        bert.eval();
        tokenizer = Tokenizers.load(MiniLm.tokenizer());
        ort = new MiniLm(2);
    }

    @AfterAll
    static void close() throws Exception {
        ort.close();
    }

    @Test
    void configIsReadFromTheGraph() {
        assertEquals(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f, 0.1f), bert.bertConfig());
        assertTrue(bert.parameterCount() > 22_000_000L, "about 22.7M parameters, got " + bert.parameterCount());
    }

    @Test
    void lastHiddenStateAndSentenceEmbeddingsMatchOnnxRuntime() throws Exception {
        BatchEncoding batch = tokenizer.encodeBatch(SENTENCES, BatchOptions.DEFAULT.truncateTo(128).padToLongest());
        int[][] ids = batch.ids();
        assertTrue(ids[1].length == ids[2].length && batch.attentionMask()[1][ids[1].length - 1] == 0, "the batch is padded");
        Tensor ours, theirs = ort.run(batch);
        try (var g = GradMode.noGrad()) {
            ours = bert.forward(batch);
        }
        float diff = ours.sub(theirs).abs().max().item();
        System.out.println("native Bert (MiniLM) last_hidden_state max abs diff vs ONNX Runtime: " + diff);
        assertTrue(diff <= 1e-4f, "max |Bert - ONNX Runtime| = " + diff);

        Tensor packed = new BertInference(bert).forward(batch.idsTensor(), batch.typeIdsTensor(), batch.attentionMaskTensor());
        float packedDiff = packed.sub(theirs).abs().max().item();
        System.out.println("BertInference (packed weights) max abs diff vs ONNX Runtime: " + packedDiff);
        assertTrue(packedDiff <= 1e-4f, "max |BertInference - ONNX Runtime| = " + packedDiff);
        BatchEncoding one = tokenizer.encodeBatch(SENTENCES.subList(1, 2), BatchOptions.DEFAULT.padToLongest()); // the small-batch path
        float oneDiff = new BertInference(bert).forward(one.idsTensor(), one.typeIdsTensor(), one.attentionMaskTensor()).sub(ort.run(one)).abs().max().item();
        assertTrue(oneDiff <= 1e-4f, "one sentence: max |BertInference - ONNX Runtime| = " + oneDiff);

        IntTensor mask = batch.attentionMaskTensor();
        Tensor a = SentencePooling.l2Normalize(SentencePooling.mean(ours, mask));
        Tensor b = SentencePooling.l2Normalize(SentencePooling.mean(theirs, mask));
        for (int r = 0; r < SENTENCES.size(); r++) {
            float cos = a.select(0, r).mul(b.select(0, r)).sum().item();
            assertTrue(cos >= 0.99999f, "cosine of sentence " + r + " = " + cos);
        }
        // Different sentences give clearly different embeddings, or the agreement above proves little.
        assertTrue(a.select(0, 0).mul(a.select(0, 1)).sum().item() < 0.9f);
    }

    @Test
    void sentenceEmbedderKeepsOrderAndSurvivesSaveAndLoad(@TempDir Path dir) throws Exception {
        SentenceEmbedder embedder = new SentenceEmbedder(bert, tokenizer);
        float[][] e = embedder.embed(SENTENCES);
        assertEquals(SENTENCES.size(), e.length);
        BatchEncoding batch = tokenizer.encodeBatch(SENTENCES, BatchOptions.DEFAULT.padToLongest());
        Tensor reference = SentencePooling.l2Normalize(SentencePooling.mean(ort.run(batch), batch.attentionMaskTensor()));
        for (int r = 0; r < e.length; r++) {
            Tensor mine = Tensor.of(e[r], 1, e[r].length);
            assertTrue(mine.mul(reference.select(0, r)).sum().item() >= 0.99999f, "sentence " + r);
        }
        embedder.save(dir);
        float[][] again = SentenceEmbedder.load(dir).embed(SENTENCES);
        for (int r = 0; r < e.length; r++) assertArrayEquals(e[r], again[r], 1e-6f);
        assertEquals(0, embedder.embed(List.of()).length);
        assertEquals(java.util.stream.IntStream.of(batch.attentionMask()[1]).sum(), embedder.countTokens(SENTENCES.get(1)));
        assertEquals(128, embedder.countTokens("word ".repeat(500)), "truncated as the tokenizer.json says");

    }

    @Test
    void paddingDoesNotChangeASentencesEmbedding() {
        try (var g = GradMode.noGrad()) {
            BatchEncoding alone = tokenizer.encodeBatch(SENTENCES.subList(1, 2), BatchOptions.DEFAULT.padToLongest());
            BatchEncoding padded = tokenizer.encodeBatch(SENTENCES, BatchOptions.DEFAULT.padToLongest());
            Tensor x = SentencePooling.mean(bert.forward(alone), alone.attentionMaskTensor());
            Tensor y = SentencePooling.mean(bert.forward(padded), padded.attentionMaskTensor()).select(0, 1).unsqueeze(0);
            assertTrue(x.sub(y).abs().max().item() < 1e-5f);
        }
    }
}
