package gradus.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import gradus.autograd.GradMode;
import gradus.kernels.Parallel;
import gradus.models.Bert;
import gradus.models.BertInference;
import gradus.models.BertWeights;
import gradus.models.MiniLm;
import gradus.tensor.IntTensor;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * all-MiniLM-L6-v2 inference: native {@link Bert} (weights from the ONNX file; {@link BertInference} with pre-packed
 * weights, and plain {@code forward}) next to ONNX Runtime
 * Java, both on 2 threads, at batch 32 × 128 tokens (throughput) and 1 × 16 tokens (latency). The two
 * run alternately, in blocks of calls, in several rounds, so that load from other processes hits both alike. Run with
 * <pre>
 * ./mvnw -q -o test-compile -pl core
 * ./mvnw -q -o dependency:build-classpath -pl core -Dmdep.outputFile=/tmp/cp.txt
 * java --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) gradus.bench.BertBench [seconds per case] [rounds] [cases, e.g. 32x128,1x16]
 * </pre>
 * with the parallel collector, as {@code ./gradus} runs: under G1 a 32×128 batch's activations (up to
 * 25 MB each) are humongous allocations, and the packed path slowed from 0.86 s to 1.9 s over three rounds.
 */
public final class BertBench {
    private static final int THREADS = 2;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String[] cases = (args.length > 2 ? args[2] : "32x128,1x16").split(",");
        Parallel.setThreads(THREADS);
        Bert bert = BertWeights.fromOnnx(MiniLm.model(), null);
        bert.eval();
        BertInference packed = new BertInference(bert);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(THREADS);
        o.setInterOpNumThreads(1);
        try (OrtSession ort = env.createSession(MiniLm.model().toString(), o)) {
            System.out.printf("all-MiniLM-L6-v2, native Bert vs ONNX Runtime %s, %d threads, %s%n", env.getVersion(), THREADS, Runtime.version());
            System.out.printf("%-7s %-6s %14s %14s %11s %11s %11s %8s %8s%n", "case", "round", "packed sent/s", "ORT sent/s", "packed ms",
                    "forward ms", "ORT ms", "packed", "forward");
            for (String c : cases) {
                int batch = Integer.parseInt(c.substring(0, c.indexOf('x'))), len = Integer.parseInt(c.substring(c.indexOf('x') + 1));
                IntTensor[] in = inputs(batch, len);
                Map<String, OnnxTensor> ortFeeds = ortInputs(env, in);
                List<Double> ratios = new ArrayList<>();
                Body forward = () -> {
                    try (var ng = GradMode.noGrad()) {
                        bert.forward(in[0], in[1], in[2]);
                    }
                };
                Body inference = () -> packed.forward(in[0], in[1], in[2]);
                Body onnx = () -> {
                    try (var res = ort.run(ortFeeds)) {
                        res.get(0);
                    }
                };
                for (int i = 0; i < 2; i++) {
                    inference.run();
                    forward.run();
                    onnx.run();
                }
                for (int r = 0; r < rounds; r++) {
                    double[] m = alternate(seconds, inference, forward, onnx);
                    double g = m[0], f = m[1], t = m[2];
                    ratios.add(t / g);
                    System.out.printf(Locale.ROOT, "%-7s %-6d %14.1f %14.1f %11.2f %11.2f %11.2f %7.2fx %7.2fx%n", batch + "x" + len, r + 1,
                            batch / g, batch / t, g * 1e3, f * 1e3, t * 1e3, t / g, t / f);
                }
                ortFeeds.values().forEach(OnnxTensor::close);
                ratios.sort(null);
                System.out.printf(Locale.ROOT, "%-7s median ratio (packed) over %d rounds: %.2fx%n", batch + "x" + len, rounds, ratios.get(rounds / 2));
            }
            System.out.println("packed = BertInference (pre-packed weights, what SentenceEmbedder runs); forward = Bert.forward under no-grad");
            System.out.println("ratio = ONNX Runtime's time / Gradus's time (above 1: Gradus is faster)");
        }
    }

    /** ids, type ids, mask: random word pieces between [CLS] and [SEP], every token attended. */
    static IntTensor[] inputs(int batch, int len) {
        Random rnd = new Random(42);
        int[] ids = new int[batch * len], mask = new int[batch * len];
        for (int i = 0; i < ids.length; i++) {
            int pos = i % len;
            ids[i] = pos == 0 ? 101 : pos == len - 1 ? 102 : 1000 + rnd.nextInt(29000);
            mask[i] = 1;
        }
        return new IntTensor[]{IntTensor.of(ids, batch, len), IntTensor.zeros(batch, len), IntTensor.of(mask, batch, len)};
    }

    private static Map<String, OnnxTensor> ortInputs(OrtEnvironment env, IntTensor[] in) throws Exception {
        String[] names = {"input_ids", "token_type_ids", "attention_mask"};
        Map<String, OnnxTensor> out = new HashMap<>();
        for (int k = 0; k < 3; k++) {
            int[] d = in[k].data();
            long[] l = new long[d.length];
            for (int i = 0; i < d.length; i++) l[i] = d[i];
            out.put(names[k], OnnxTensor.createTensor(env, LongBuffer.wrap(l), new long[]{in[k].size(0), in[k].size(1)}));
        }
        return out;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /**
     * Median seconds per call of each body, running them in turn in blocks of about 0.2 s for about
     * {@code seconds}, so that load from other processes falls on all alike. Blocks, not single calls:
     * ONNX Runtime's threads spin for a while after each run, and would slow whatever ran next.
     */
    private static double[] alternate(double seconds, Body... bodies) throws Exception {
        List<List<Double>> times = new ArrayList<>();
        for (Body ignored : bodies) times.add(new ArrayList<>());
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            for (int i = 0; i < bodies.length; i++) {
                long blockEnd = System.nanoTime() + 200_000_000L;
                bodies[i].run(); // the first call of a block pays for the switch
                do {
                    long s = System.nanoTime();
                    bodies[i].run();
                    times.get(i).add((System.nanoTime() - s) / 1e9);
                } while (System.nanoTime() < blockEnd);
            }
        } while (System.nanoTime() < end);
        double[] medians = new double[bodies.length];
        for (int i = 0; i < bodies.length; i++) {
            List<Double> t = times.get(i);
            t.sort(null);
            medians[i] = t.get(t.size() / 2);
        }
        return medians;
    }
}
