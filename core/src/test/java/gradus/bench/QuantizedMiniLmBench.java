package gradus.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import gradus.io.onnx.OrtRunner;
import gradus.kernels.Machine;
import gradus.kernels.Parallel;
import gradus.models.Bert;
import gradus.models.BertInference;
import gradus.models.BertWeights;
import gradus.quant.QuantizedBert;
import gradus.quant.Scheme;
import gradus.tensor.IntTensor;

import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 forward passes: Gradus fp32 (BertInference), Gradus's own int8 / int4 (g32) / bf16
 * quantizations of it, ONNX Runtime on the fp32 file and on langchain4j's int8 file (-q), 2 threads each, at
 * 32×128 tokens (throughput) and 1×16 (latency). Contenders alternate within each round; prints the median ms
 * per call as min–max over the rounds and the speed-up over Gradus fp32 (its time ÷ the contender's, best round).
 * Run with
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) gradus.bench.QuantizedMiniLmBench [seconds] [rounds]
 * </pre>
 */
public final class QuantizedMiniLmBench {
    private static final int THREADS = 2;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Parallel.setThreads(THREADS);
        Path fp32File = OrtRunner.resourceFile("all-minilm-l6-v2.onnx"), int8File = OrtRunner.resourceFile("all-minilm-l6-v2-q.onnx");
        Bert bert = BertWeights.fromOnnx(fp32File, null);
        bert.eval();
        BertInference fp32 = new BertInference(bert);
        QuantizedBert int8 = QuantizedBert.of(bert, Scheme.INT8, 0), int4 = QuantizedBert.of(bert, Scheme.INT4, 32), bf16 = QuantizedBert.of(bert, Scheme.BF16, 0);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(THREADS);
        o.setInterOpNumThreads(1);
        o.addConfigEntry("session.intra_op.allow_spinning", "0"); // idle ORT threads would spin on the cores the next contender uses
        System.out.println(Machine.current().describe());
        System.out.printf("all-MiniLM-L6-v2, %d threads, %s, load average %s%n", THREADS, Runtime.version(),
                java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip());
        String[] names = {"Gradus fp32", "Gradus int8", "Gradus int4", "Gradus bf16", "ORT fp32", "ORT int8 (-q)"};
        try (OrtSession ortF = env.createSession(fp32File.toString(), o); OrtSession ortQ = env.createSession(int8File.toString(), o)) {
            for (int[] c : new int[][]{{32, 128}, {1, 16}}) {
                IntTensor[] in = BertBench.inputs(c[0], c[1]);
                Map<String, OnnxTensor> feeds = new HashMap<>();
                String[] keys = {"input_ids", "token_type_ids", "attention_mask"};
                for (int i = 0; i < 3; i++) {
                    long[] l = Arrays.stream(in[i].data()).asLongStream().toArray();
                    feeds.put(keys[i], OnnxTensor.createTensor(env, LongBuffer.wrap(l), new long[]{c[0], c[1]}));
                }
                List<QuantizedKernelBench.Body> bodies = List.of(
                        () -> fp32.forward(in[0], in[1], in[2]),
                        () -> int8.forward(in[0], in[1], in[2]),
                        () -> int4.forward(in[0], in[1], in[2]),
                        () -> bf16.forward(in[0], in[1], in[2]),
                        () -> { try (var r = ortF.run(feeds)) { r.get(0); } },
                        () -> { try (var r = ortQ.run(feeds)) { r.get(0); } });
                double[][] ms = new double[bodies.size()][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int b = 0; b < bodies.size(); b++) ms[b][round] = 1e3 * QuantizedKernelBench.time(seconds, bodies.get(b));
                }
                System.out.printf("%dx%d: %-14s %16s %14s%n", c[0], c[1], "", "ms per call", "vs fp32");
                for (int b = 0; b < bodies.size(); b++) {
                    double[] v = ms[b].clone();
                    Arrays.sort(v);
                    double[] base = ms[0].clone();
                    Arrays.sort(base);
                    System.out.printf("  %-20s %16s %13.2fx%n", names[b], String.format("%.1f-%.1f", v[0], v[v.length - 1]), base[0] / v[0]);
                }
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }
}
