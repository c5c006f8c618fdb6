package gradus.bench;

import gradus.kernels.Parallel;
import gradus.nn.Embedding;
import gradus.nn.LSTM;
import gradus.nn.Linear;
import gradus.nn.Losses;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Forward + backward time of the spam classifier's training step: Embedding(20000, 64) → LSTM(64 → 128) →
 * Linear(128 → 2) on the final hidden state → cross entropy, batch 64 × 256 tokens. bench/torch_lstm.py
 * times the same step in PyTorch. Not a test: run its main
 * <pre>
 * ./mvnw -q -o test-compile -pl core
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes gradus.bench.LstmBench [steps]
 * </pre>
 * Prints one JSON line: the best and median step in milliseconds after warm-up, wall-clock and process CPU
 * time (on a machine shared with other jobs, CPU time shows the work done; wall time also shows waiting).
 */
public final class LstmBench {
    private LstmBench() {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int batch = 64, tokens = 256, vocab = 20000;
        Rng.manualSeed(42);
        Embedding embedding = new Embedding(vocab, 64);
        LSTM lstm = new LSTM(64, 128);
        Linear head = new Linear(128, 2);
        Rng rng = new Rng(1);
        int[] ids = new int[batch * tokens], labels = new int[batch];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
        for (int i = 0; i < batch; i++) labels[i] = i % 2;
        IntTensor x = IntTensor.of(ids, batch, tokens), y = IntTensor.of(labels, batch);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] ms = new double[steps], cpuMs = new double[steps];
        for (int s = -5; s < steps; s++) {
            long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
            embedding.zeroGrad();
            lstm.zeroGrad();
            head.zeroGrad();
            Tensor h = lstm.run(embedding.forward(x), null).hidden().select(0, 0);
            Losses.crossEntropy(head.forward(h), y).backward();
            if (s >= 0) {
                ms[s] = (System.nanoTime() - t0) / 1e6;
                cpuMs[s] = (os.getProcessCpuTime() - c0) / 1e6;
            }
        }
        Arrays.sort(ms);
        Arrays.sort(cpuMs);
        System.out.printf("{\"impl\": \"gradus\", \"threads\": %d, \"best_ms\": %.1f, \"median_ms\": %.1f, \"best_cpu_ms\": %.1f, \"median_cpu_ms\": %.1f}%n",
                Parallel.threads(), ms[0], ms[steps / 2], cpuMs[0], cpuMs[steps / 2]);
    }
}
