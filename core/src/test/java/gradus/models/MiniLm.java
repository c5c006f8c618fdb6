package gradus.models;

import ai.onnxruntime.OrtException;
import gradus.io.onnx.OrtRunner;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 for tests: its ONNX file and tokenizer.json (inside langchain4j's Maven artifact on the
 * test classpath) copied to files once per JVM, and ONNX Runtime Java running the ONNX file as the reference.
 */
public final class MiniLm implements AutoCloseable {
    public static final String MODEL = "all-minilm-l6-v2.onnx", TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    private final OrtRunner ort;

    /** An ONNX Runtime session on the MiniLM file with {@code threads} intra-op threads. */
    public MiniLm(int threads) throws IOException, OrtException {
        ort = new OrtRunner(model(), threads);
    }

    public static Path model() throws IOException {
        return OrtRunner.resourceFile(MODEL);
    }

    public static Path tokenizer() throws IOException {
        return OrtRunner.resourceFile(TOKENIZER);
    }

    /** ONNX Runtime's last_hidden_state for a tokenized batch. */
    public Tensor run(BatchEncoding batch) throws OrtException {
        return run(batch.idsTensor(), batch.typeIdsTensor(), batch.attentionMaskTensor());
    }

    public Tensor run(IntTensor ids, IntTensor typeIds, IntTensor mask) throws OrtException {
        return ort.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", typeIds));
    }

    @Override
    public void close() throws OrtException {
        ort.close();
    }
}
