package gradus.io.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime Java as the reference: runs a model on Gradus tensors and returns Gradus tensors. */
public final class OrtRunner implements AutoCloseable {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRunner(byte[] model, int threads) throws OrtException {
        session = ENV.createSession(model, options(threads));
    }

    /** A session on a model file (read by ONNX Runtime itself, so large files are not copied onto the heap). */
    public OrtRunner(Path model, int threads) throws OrtException {
        session = ENV.createSession(model.toString(), options(threads));
    }

    private static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        return o;
    }

    /** Runs with float inputs (Tensor) and int64 inputs (IntTensor); returns the first output. */
    public Tensor run(Map<String, ?> feeds) throws OrtException {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            for (var e : feeds.entrySet()) in.put(e.getKey(), toOrt(e.getValue()));
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

    private static OnnxTensor toOrt(Object v) throws OrtException {
        if (v instanceof Tensor t) return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(t.toArray()), longs(t.shape()));
        IntTensor t = (IntTensor) v;
        long[] d = new long[t.numel()];
        for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
        return OnnxTensor.createTensor(ENV, LongBuffer.wrap(d), longs(t.shape()));
    }

    private static long[] longs(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) l[i] = s[i];
        return l;
    }

    /** A classpath resource (e.g. inside a dependency jar) copied to a file, once per JVM. */
    public static Path resourceFile(String name) throws IOException {
        Path p = Path.of(System.getProperty("java.io.tmpdir"), "gradus-test-" + ProcessHandle.current().pid() + "-" + name);
        if (Files.exists(p)) return p;
        try (InputStream in = OrtRunner.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("resource " + name + " is not on the test classpath");
            Path tmp = Files.createTempFile(p.getParent(), "gradus", ".part");
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, p, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        p.toFile().deleteOnExit();
        return p;
    }

    static float maxAbsDiff(Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new AssertionError("shapes differ: " + java.util.Arrays.toString(a.shape()) + " vs " + java.util.Arrays.toString(b.shape()));
        }
        float[] x = a.toArray(), y = b.toArray();
        float m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
