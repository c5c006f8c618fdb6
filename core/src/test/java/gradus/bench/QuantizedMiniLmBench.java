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
 * all-MiniLM-L6-v2 forward passes: Gradus fp32 (BertInference), Gradus's own int8 / int4 (groups of 32, 64, 128)
 * / bf16 quantizations of it, ONNX Runtime on the fp32 file and on langchain4j's int8 file (-q, ONNX Runtime's
 * quantize_dynamic output), 2 threads each, at 32×128 tokens (throughput) and 1×16 (latency). Contenders alternate
 * within each round; prints the median ms per call as min–max over the rounds and the speed-ups over Gradus fp32
 * and over ONNX Runtime's int8 model (their time ÷ the contender's, per round, as min–max over the rounds).
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
        QuantizedBert int8 = QuantizedBert.of(bert, Scheme.INT8, 0), bf16 = QuantizedBert.of(bert, Scheme.BF16, 0),
                g32 = QuantizedBert.of(bert, Scheme.INT4, 32), g64 = QuantizedBert.of(bert, Scheme.INT4, 64), g128 = QuantizedBert.of(bert, Scheme.INT4, 128);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(THREADS);
        o.setInterOpNumThreads(1);
        o.addConfigEntry("session.intra_op.allow_spinning", "0"); // idle ORT threads would spin on the cores the next contender uses
        System.out.println(Machine.current().describe());
        System.out.printf("all-MiniLM-L6-v2, %d threads, %s, load average %s%n", THREADS, Runtime.version(),
                java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip());
        String[] names = {"Gradus fp32", "Gradus int8", "Gradus int4/g32", "Gradus int4/g64", "Gradus int4/g128", "Gradus bf16", "ORT fp32", "ORT int8 (-q)"};
        int ortQ8 = names.length - 1;
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
                        () -> g32.forward(in[0], in[1], in[2]),
                        () -> g64.forward(in[0], in[1], in[2]),
                        () -> g128.forward(in[0], in[1], in[2]),
                        () -> bf16.forward(in[0], in[1], in[2]),
                        () -> { try (var r = ortF.run(feeds)) { r.get(0); } },
                        () -> { try (var r = ortQ.run(feeds)) { r.get(0); } });
                double[][] ms = new double[bodies.size()][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int b = 0; b < bodies.size(); b++) ms[b][round] = 1e3 * QuantizedKernelBench.time(seconds, bodies.get(b));
                }
                System.out.printf("%dx%d:%-17s %14s %16s %16s%n", c[0], c[1], "", "ms per call", "vs Gradus fp32", "vs ORT int8");
                for (int b = 0; b < bodies.size(); b++) {
                    System.out.printf("  %-20s %14s %16s %16s%n", names[b], range(ms[b], 1), ratios(ms[0], ms[b]), ratios(ms[ortQ8], ms[b]));
                }
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }

    /** min–max of {@code v}. */
    private static String range(double[] v, int digits) {
        double lo = Arrays.stream(v).min().orElseThrow(), hi = Arrays.stream(v).max().orElseThrow();
        return String.format("%." + digits + "f-%." + digits + "f", lo, hi);
    }

    /** base ÷ contender within each round (the two ran back to back), as min–max over the rounds. */
    private static String ratios(double[] base, double[] contender) {
        double[] r = new double[base.length];
        for (int i = 0; i < r.length; i++) r[i] = base[i] / contender[i];
        return range(r, 2) + "x";
    }
}
