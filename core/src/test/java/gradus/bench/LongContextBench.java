package gradus.bench;

import gradus.kernels.Machine;
import gradus.kernels.Parallel;
import gradus.nn.AttentionWindow;
import gradus.nn.MultiHeadAttention;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Memory and time of one self-attention layer's training step (forward + backward of MultiHeadAttention, width 64,
 * 2 heads, batch 1) at 1K, 2K, 4K and 8K tokens: full attention next to a sliding window (window 256, 1 global
 * token), alternating the two in each round. Not a test: run bench/long-context.sh. Per length and kind, one JSON line:
 * <ul>
 * <li>{@code retained_bytes}: heap still held after forward (what the graph keeps for backward), measured after a GC;
 * <li>{@code allocated_bytes}: bytes allocated by all threads during one step (least over the rounds);
 * <li>{@code step_ms}: wall time of a step, min and max over the rounds (the machine is shared).
 * </ul>
 * then a line of windowed ÷ full ratios.
 */
public final class LongContextBench {
    private static final int WIDTH = 64, HEADS = 2;
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LongContextBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int[] lengths = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[]{1024, 2048, 4096, 8192};
        var window = new AttentionWindow(256, 1);
        System.out.println(Machine.current().describe() + "; threads " + Parallel.threads());
        for (int t : lengths) {
            Rng.manualSeed(1);
            var full = new MultiHeadAttention(WIDTH, HEADS);
            Rng.manualSeed(1);
            var windowed = new MultiHeadAttention(WIDTH, HEADS, 0f, true, false, window);
            Tensor x = Tensor.normal(new Rng(2), 0f, 1f, 1, t, WIDTH);
            Tensor g = Tensor.normal(new Rng(3), 0f, 1f, 1, t, WIDTH);
            step(full, x, g); // warm-up
            step(windowed, x, g);
            long[] allocated = {Long.MAX_VALUE, Long.MAX_VALUE};
            double[][] ms = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int kind = 0; kind < 2; kind++) { // alternate: full, windowed, full, …
                    long a0 = THREADS.getTotalThreadAllocatedBytes(), t0 = System.nanoTime();
                    step(kind == 0 ? full : windowed, x, g);
                    ms[kind][r] = (System.nanoTime() - t0) / 1e6;
                    allocated[kind] = Math.min(allocated[kind], THREADS.getTotalThreadAllocatedBytes() - a0);
                }
            }
            long[] retained = {retained(full, x), retained(windowed, x)};
            for (int kind = 0; kind < 2; kind++) {
                Arrays.sort(ms[kind]);
                System.out.printf("{\"tokens\": %d, \"attention\": \"%s\", \"retained_bytes\": %d, \"allocated_bytes\": %d, \"step_ms_min\": %.1f, \"step_ms_max\": %.1f}%n",
                        t, kind == 0 ? "full" : "window 256 global 1", retained[kind], allocated[kind], ms[kind][0], ms[kind][rounds - 1]);
            }
            System.out.printf("{\"tokens\": %d, \"window_over_full\": {\"retained\": %.4f, \"allocated\": %.4f, \"step_ms_min\": %.3f, \"step_ms_max\": %.3f}}%n",
                    t, (double) retained[1] / retained[0], (double) allocated[1] / allocated[0], ms[1][0] / ms[0][0], ms[1][rounds - 1] / ms[0][rounds - 1]);
        }
    }

    private static void step(MultiHeadAttention layer, Tensor x, Tensor g) {
        layer.zeroGrad();
        layer.forward(x).backward(g);
    }

    /** Heap held by the output's graph after forward (used heap after a GC with it alive, minus without), median of 3. */
    private static long retained(MultiHeadAttention layer, Tensor x) {
        long[] held = {retainedOnce(layer, x), retainedOnce(layer, x), retainedOnce(layer, x)};
        Arrays.sort(held);
        return held[1];
    }

    private static long retainedOnce(MultiHeadAttention layer, Tensor x) {
        long base = usedAfterGc();
        Tensor y = layer.forward(x);
        long held = usedAfterGc() - base - 4L * y.numel(); // not counting the output itself
        y.backward(Tensor.zeros(y.shape()));
        return held;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
