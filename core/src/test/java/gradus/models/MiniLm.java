package gradus.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 for tests: its ONNX file and tokenizer.json (inside langchain4j's Maven artifact on the
 * test classpath) copied to files once per JVM, and ONNX Runtime Java running the ONNX file as the reference.
 */
public final class MiniLm implements AutoCloseable {
    public static final String MODEL = "all-minilm-l6-v2.onnx", TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /** An ONNX Runtime session on the MiniLM file with {@code threads} intra-op threads. */
    public MiniLm(int threads) throws IOException, OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        session = ENV.createSession(model().toString(), o);
    }

    public static Path model() throws IOException {
        return resourceFile(MODEL);
    }

    public static Path tokenizer() throws IOException {
        return resourceFile(TOKENIZER);
    }

    /** ONNX Runtime's last_hidden_state for a tokenized batch. */
    public Tensor run(BatchEncoding batch) throws OrtException {
        return run(batch.idsTensor(), batch.typeIdsTensor(), batch.attentionMaskTensor());
    }

    public Tensor run(IntTensor ids, IntTensor typeIds, IntTensor mask) throws OrtException {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            in.put("input_ids", longs(ids));
            in.put("attention_mask", longs(mask));
            in.put("token_type_ids", longs(typeIds));
            try (OrtSession.Result r = session.run(in)) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                long[] shape = out.getInfo().getShape();
                int[] s = new int[shape.length];
                for (int i = 0; i < s.length; i++) s[i] = (int) shape[i];
                FloatBuffer fb = out.getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                return Tensor.of(v, s);
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor longs(IntTensor t) throws OrtException {
        long[] d = new long[t.numel()];
        for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
        long[] shape = new long[t.dim()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.size(i);
        return OnnxTensor.createTensor(ENV, LongBuffer.wrap(d), shape);
    }

    /** A classpath resource (inside a dependency jar) copied to a temporary file, once per JVM. */
    public static Path resourceFile(String name) throws IOException {
        Path p = Path.of(System.getProperty("java.io.tmpdir"), "gradus-bert-" + ProcessHandle.current().pid() + "-" + name);
        if (Files.exists(p)) return p;
        try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("resource " + name + " is not on the test classpath");
            Path tmp = Files.createTempFile(p.getParent(), "gradus", ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE);
        }
        p.toFile().deleteOnExit();
        return p;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
