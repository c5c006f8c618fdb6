package gradus.serve;

import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Dynamic batching for one model: concurrent requests are queued, and one worker thread merges
 * whatever is waiting (up to {@code maxBatchSize} rows, waiting at most {@code maxDelay} for more
 * after the first) into a single forward pass, then hands each request its own rows of the output.
 * <p>Every pass runs on at least {@link #MIN_ROWS} rows (zero rows pad smaller ones): Gemm picks
 * a dot-product kernel below 4 rows and a blocked kernel from 4 on, whose sums round differently,
 * so padding makes each request's result bit-for-bit independent of what it was batched with
 * (and of whether batching is on).
 */
final class Batcher implements AutoCloseable {
    private record Job(float[] rows, int n, CompletableFuture<float[]> result) {}

    private static final Job POISON = new Job(null, 0, null);
    /** Gemm's smallest row count for its blocked kernel (MicroKernel.MR). */
    static final int MIN_ROWS = 4;

    private final UnaryOperator<Tensor> forward;
    private final int[] exampleShape;
    private final int exampleSize;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final IntConsumer batchSizes;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread worker;

    /**
     * @param forward      runs the model on [n, ...exampleShape] and returns [n, ...]
     * @param batchSizes   told the row count of every forward pass (for metrics)
     */
    Batcher(String name, UnaryOperator<Tensor> forward, int[] exampleShape, int maxBatchSize, long maxDelayNanos, IntConsumer batchSizes) {
        this.forward = forward;
        this.exampleShape = exampleShape.clone();
        int size = 1;
        for (int d : exampleShape) size *= d;
        this.exampleSize = size;
        this.maxBatchSize = Math.max(1, maxBatchSize);
        this.maxDelayNanos = Math.max(0, maxDelayNanos);
        this.batchSizes = batchSizes;
        // A platform thread: the forward pass is CPU-bound and should not pin a virtual thread's carrier.
        this.worker = maxBatchSize > 1 ? Thread.ofPlatform().daemon().name("batcher-" + name).start(this::loop) : null;
    }

    int exampleSize() {
        return exampleSize;
    }

    /** Requests waiting for a forward pass. */
    int queueDepth() {
        return queue.size();
    }

    /** Outputs for {@code n} rows given row-major in {@code rows} (n × exampleSize values). */
    CompletableFuture<float[]> submit(float[] rows, int n) {
        if (worker == null) { // batching off: the caller runs its own forward pass
            try {
                return CompletableFuture.completedFuture(run(rows, n));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<float[]> result = new CompletableFuture<>();
        queue.add(new Job(rows, n, result));
        return result;
    }

    private float[] run(float[] rows, int n) {
        batchSizes.accept(n);
        int padded = Math.max(n, MIN_ROWS);
        if (padded > n) rows = java.util.Arrays.copyOf(rows, padded * exampleSize);
        int[] shape = new int[exampleShape.length + 1];
        shape[0] = padded;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        float[] out = forward.apply(Tensor.of(rows, shape)).contiguousData();
        return padded > n ? java.util.Arrays.copyOf(out, out.length / padded * n) : out;
    }

    private void loop() {
        List<Job> jobs = new ArrayList<>();
        while (true) {
            try {
                Job first = queue.take();
                if (first == POISON) return;
                jobs.add(first);
                int rows = first.n;
                long deadline = System.nanoTime() + maxDelayNanos;
                boolean stop = false;
                while (rows < maxBatchSize) {
                    Job next = queue.peek() != null ? queue.poll() : queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null) break;
                    if (next == POISON) {
                        stop = true;
                        break;
                    }
                    if (rows + next.n > maxBatchSize) { // would overflow: it starts the next batch
                        runBatch(jobs, rows);
                        jobs.clear();
                        jobs.add(next);
                        rows = next.n;
                        deadline = System.nanoTime() + maxDelayNanos;
                        continue;
                    }
                    jobs.add(next);
                    rows += next.n;
                }
                runBatch(jobs, rows);
                jobs.clear();
                if (stop) return;
            } catch (InterruptedException e) {
                for (Job j : jobs) j.result.completeExceptionally(e);
                return;
            }
        }
    }

    private void runBatch(List<Job> jobs, int rows) {
        try {
            if (jobs.size() == 1) {
                Job j = jobs.getFirst();
                j.result.complete(run(j.rows, j.n));
                return;
            }
            float[] merged = new float[rows * exampleSize];
            int at = 0;
            for (Job j : jobs) {
                System.arraycopy(j.rows, 0, merged, at, j.n * exampleSize);
                at += j.n * exampleSize;
            }
            float[] out = run(merged, rows);
            int perRow = out.length / rows;
            at = 0;
            for (Job j : jobs) {
                float[] mine = new float[j.n * perRow];
                System.arraycopy(out, at, mine, 0, mine.length);
                at += mine.length;
                j.result.complete(mine);
            }
        } catch (RuntimeException | Error e) {
            for (Job j : jobs) j.result.completeExceptionally(e);
        }
    }

    /** Finishes the queued requests, then stops the worker. */
    @Override
    public void close() {
        if (worker == null) return;
        queue.add(POISON);
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
