package gradus.quant;

import gradus.io.onnx.OrtRunner;
import gradus.models.Bert;
import gradus.models.BertInference;
import gradus.models.BertWeights;
import gradus.models.MiniLm;
import gradus.models.SentencePooling;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;
import gradus.text.BatchOptions;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * all-MiniLM-L6-v2 quantized by Gradus against its fp32 self, side by side with ONNX Runtime running the int8
 * model langchain4j ships (all-minilm-l6-v2-q.onnx, made by ONNX Runtime's quantize_dynamic) against the fp32 ONNX file.
 */
class QuantizedMiniLmTest {
    private static final int SENTENCES = 100, BATCH = 20;
    private static Bert bert;
    private static Tokenizer tokenizer;
    private static List<BatchEncoding> batches = new ArrayList<>();
    private static List<Tensor> fp32 = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        bert = BertWeights.fromOnnx(MiniLm.model(), null);
        bert.eval();
        tokenizer = Tokenizers.load(MiniLm.tokenizer());
        List<String> s = MobyDickSentences.first(SENTENCES);
        BertInference reference = new BertInference(bert);
        for (int i = 0; i < SENTENCES; i += BATCH) {
            BatchEncoding b = tokenizer.encodeBatch(s.subList(i, i + BATCH), BatchOptions.DEFAULT.truncateTo(128).padToLongest());
            batches.add(b);
            fp32.add(embed(reference.forward(b.idsTensor(), b.typeIdsTensor(), b.attentionMaskTensor()), b));
        }
    }

    private static Tensor embed(Tensor hidden, BatchEncoding b) {
        return SentencePooling.l2Normalize(SentencePooling.mean(hidden, b.attentionMaskTensor()));
    }

    /** Cosines of row pairs, over every batch. */
    private static float[] cosines(List<Tensor> a, List<Tensor> b) {
        float[] out = new float[SENTENCES];
        int at = 0;
        for (int i = 0; i < a.size(); i++) {
            Tensor x = a.get(i), y = b.get(i);
            for (int r = 0; r < x.size(0); r++) out[at++] = x.select(0, r).mul(y.select(0, r)).sum().item();
        }
        return out;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s / v.length;
    }

    private static float min(float[] v) {
        float m = Float.MAX_VALUE;
        for (float x : v) m = Math.min(m, x);
        return m;
    }

    private static List<Tensor> run(QuantizedBert q) {
        List<Tensor> out = new ArrayList<>();
        for (BatchEncoding b : batches) out.add(embed(q.forward(b.idsTensor(), b.typeIdsTensor(), b.attentionMaskTensor()), b));
        return out;
    }

    @Test
    void sentenceEmbeddingsStayCloseToFp32() throws Exception {
        // ONNX Runtime's own int8 model against its fp32 one: the peer's accuracy cost
        List<Tensor> ortFp32 = new ArrayList<>(), ortInt8 = new ArrayList<>();
        try (OrtRunner f = new OrtRunner(MiniLm.model(), 2); OrtRunner q = new OrtRunner(OrtRunner.resourceFile("all-minilm-l6-v2-q.onnx"), 2)) {
            for (BatchEncoding b : batches) {
                Map<String, gradus.tensor.IntTensor> in = Map.of("input_ids", b.idsTensor(), "attention_mask", b.attentionMaskTensor(), "token_type_ids", b.typeIdsTensor());
                ortFp32.add(embed(f.run(in), b));
                ortInt8.add(embed(q.run(in), b));
            }
        }
        float[] ort = cosines(ortFp32, ortInt8);
        System.out.printf("MiniLM on %d Moby Dick sentences, cosine to fp32: ONNX Runtime's -q int8 model mean %.5f min %.5f%n", SENTENCES, mean(ort), min(ort));
        double[] limits = {0.99, 0.95, 0.9995, 0.9999}; // mean for int8, int4/g32 (round-to-nearest 4 bits cost MiniLM about 0.04), bf16, f16
        Scheme[] schemes = {Scheme.INT8, Scheme.INT4, Scheme.BF16, Scheme.F16};
        for (int i = 0; i < schemes.length; i++) {
            float[] c = cosines(fp32, run(QuantizedBert.of(bert, schemes[i], 32)));
            System.out.printf("  Gradus %-5s: mean %.5f min %.5f%n", schemes[i].id(), mean(c), min(c));
            assertTrue(mean(c) >= limits[i], schemes[i] + ": mean cosine " + mean(c));
        }
        // Gradus's per-row int8 is at least as close as ONNX Runtime's per-tensor uint8 (it measured 0.99 on this text)
        assertTrue(mean(cosines(fp32, run(QuantizedBert.of(bert, Scheme.INT8, 0)))) >= mean(ort) - 0.002);
        // different sentences stay apart, or the closeness above proves little
        assertTrue(fp32.get(0).select(0, 0).mul(fp32.get(0).select(0, 1)).sum().item() < 0.9f);
    }

    @Test
    void savedAndLoadedGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
        for (Scheme s : List.of(Scheme.INT8, Scheme.INT4)) {
            QuantizedBert q = QuantizedBert.of(bert, s, 32);
            QuantizedModels.save(dir.resolve(s.id()), q, s, 32, Map.of("pooling", "mean"));
            QuantizedBert back = (QuantizedBert) QuantizedModels.load(dir.resolve(s.id())).model();
            BatchEncoding b = batches.get(0);
            assertArrayEquals(q.forward(b.idsTensor(), b.typeIdsTensor(), b.attentionMaskTensor()).toArray(),
                    back.forward(b.idsTensor(), b.typeIdsTensor(), b.attentionMaskTensor()).toArray(), s.id());
            long bytes = java.nio.file.Files.size(dir.resolve(s.id()).resolve("model.safetensors"));
            System.out.printf("MiniLM %s on disk: %.1f MB (fp32 about 90.9 MB)%n", s.id(), bytes / 1e6);
        }
    }
}
