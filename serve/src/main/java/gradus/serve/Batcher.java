package gradus.serve;

import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Dynamic batching for one model, run by the requesting threads themselves (leader/follower):
 * each request joins a queue; the one thread that holds the lead takes every queued request (up
 * to {@code maxBatchSize} rows) into one forward pass and hands each its own rows of the output,
 * while the others wait. Once its own request is answered, the leader passes the lead to the
 * oldest waiting request. A request that arrives alone runs at once on its own thread, with no
 * hand-off to a worker, so batching costs nothing when there is nothing to merge; under load the
 * requests that queue up during one pass share the next. {@code maxDelay} (default 0) makes a
 * leader wait that long for a batch to fill.
 * <p>A request's result is bit-for-bit independent of what it was batched with (and of whether batching is on):
 * the kernels guarantee that a row's result does not depend on the other rows of its batch, on every GEMM path
 * (see {@code gradus.kernels.Gemm}), so passes run on exactly the rows they were given.
 */
final class Batcher {
    private static final int WAITING = 0, LEADING = 1, RUNNING = 2, DONE = 3, ABANDONED = 4;

    /**
     * One request. Its state moves WAITING → RUNNING → DONE when a leader takes it, WAITING → LEADING
     * when the lead is passed to it, and WAITING → ABANDONED on timeout. A leader's own job stays
     * WAITING (or LEADING) until its pass is done.
     */
    private static final class Job {
        final float[] rows;
        final int n;
        final Thread thread = Thread.currentThread();
        final AtomicInteger state = new AtomicInteger(WAITING);
        float[] output; // written before state becomes DONE, read after
        RuntimeException error;

        Job(float[] rows, int n) {
            this.rows = rows;
            this.n = n;
        }
    }

    private final UnaryOperator<Tensor> forward;
    private final int[] exampleShape;
    private final int exampleSize;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final IntConsumer batchSizes;
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean lead = new AtomicBoolean();
    /** Runs between a request joining the queue and its try for the lead; tests use it to force races. */
    volatile Runnable afterQueued = () -> {};

    /**
     * @param forward    runs the model on [n, ...exampleShape] and returns [n, ...]
     * @param batchSizes told the row count of every forward pass (for metrics)
     */
    Batcher(UnaryOperator<Tensor> forward, int[] exampleShape, int maxBatchSize, long maxDelayNanos, IntConsumer batchSizes) {
        this.forward = forward;
        this.exampleShape = exampleShape.clone();
        int size = 1;
        for (int d : exampleShape) size *= d;
        this.exampleSize = size;
        this.maxBatchSize = Math.max(1, maxBatchSize);
        this.maxDelayNanos = Math.max(0, maxDelayNanos);
        this.batchSizes = batchSizes;
    }

    int exampleSize() {
        return exampleSize;
    }

    /** Requests waiting for a forward pass. */
    int queueDepth() {
        return queued.get();
    }

    /**
     * Outputs for {@code n} rows given row-major in {@code rows} (n × exampleSize values). Throws
     * the model's exception, or {@link TimeoutException} when the request waited {@code timeoutNanos}
     * without its pass starting (a pass that has started is finished).
     */
    float[] infer(float[] rows, int n, long timeoutNanos) throws TimeoutException, InterruptedException {
        if (maxBatchSize == 1) return run(rows, n); // batching off
        Job me = new Job(rows, n);
        queued.incrementAndGet();
        queue.add(me);
        afterQueued.run();
        if (lead.compareAndSet(false, true)) {
            lead(me); // me may be answered already: the last leader can take it before this thread takes the lead
        } else {
            await(me, System.nanoTime() + timeoutNanos);
        }
        if (me.error != null) throw me.error;
        return me.output;
    }

    /** Waits until another leader answers {@code me}, or hands it the lead. */
    private void await(Job me, long deadline) throws TimeoutException, InterruptedException {
        boolean interrupted = false;
        try {
            while (true) {
                int s = me.state.get();
                if (s == DONE) return;
                if (s == LEADING) {
                    lead(me);
                    return;
                }
                interrupted |= Thread.interrupted();
                long left = deadline - System.nanoTime();
                if ((left <= 0 || interrupted) && me.state.compareAndSet(WAITING, ABANDONED)) {
                    queued.decrementAndGet(); // the leader drops it from the queue
                    if (!interrupted) throw new TimeoutException();
                    interrupted = false;
                    throw new InterruptedException();
                }
                // Parked, never spinning: a spinning virtual thread would hold a core the leader's pass needs.
                if (s == WAITING && left > 0) LockSupport.parkNanos(this, left);
                else LockSupport.park(this); // RUNNING: the leader unparks it when the pass is done
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt(); // answered anyway: keep the flag
        }
    }

    /** Runs batches until {@code me} is answered, then passes the lead on (also if something throws). */
    private void lead(Job me) {
        try {
            List<Job> batch = new ArrayList<>();
            while (me.state.get() != DONE) {
                int rows = take(batch, me, 0);
                if (rows < maxBatchSize && maxDelayNanos > 0) {
                    long deadline = System.nanoTime() + maxDelayNanos;
                    while (rows < maxBatchSize && System.nanoTime() < deadline) {
                        int more = take(batch, me, rows);
                        if (more == rows) LockSupport.parkNanos(20_000);
                        rows = more;
                    }
                }
                if (!batch.isEmpty()) runBatch(batch, rows, me);
                batch.clear();
            }
        } finally {
            passLead();
        }
    }

    /** Moves queued requests into {@code batch} while they fit in maxBatchSize rows; returns the new row count. */
    private int take(List<Job> batch, Job me, int rows) {
        Job j;
        while ((j = queue.peek()) != null) {
            if (j.state.get() == ABANDONED) {
                queue.poll();
                continue;
            }
            if (!batch.isEmpty() && rows + j.n > maxBatchSize) break; // starts the next batch
            if (j != me && !j.state.compareAndSet(WAITING, RUNNING)) { // abandoned just now
                queue.poll();
                continue;
            }
            queue.poll();
            queued.decrementAndGet();
            batch.add(j);
            rows += j.n;
        }
        return rows;
    }

    /** Wakes the oldest waiting request as the next leader, or gives up the lead when none waits. */
    private void passLead() {
        while (true) {
            Job next;
            while ((next = queue.peek()) != null) {
                if (next.state.compareAndSet(WAITING, LEADING)) {
                    LockSupport.unpark(next.thread);
                    return;
                }
                queue.poll(); // abandoned
            }
            lead.set(false);
            // A request queued after the last peek may have found the lead taken: take it back to serve it.
            if (queue.isEmpty() || !lead.compareAndSet(false, true)) return;
        }
    }

    private void runBatch(List<Job> jobs, int rows, Job me) {
        float[][] outputs = new float[jobs.size()][];
        RuntimeException error = null;
        try {
            if (jobs.size() == 1) {
                outputs[0] = run(jobs.getFirst().rows, rows);
            } else {
                float[] merged = new float[rows * exampleSize];
                int at = 0;
                for (Job j : jobs) {
                    System.arraycopy(j.rows, 0, merged, at, j.n * exampleSize);
                    at += j.n * exampleSize;
                }
                float[] out = run(merged, rows);
                int perRow = out.length / rows;
                at = 0;
                for (int i = 0; i < jobs.size(); i++) {
                    outputs[i] = Arrays.copyOfRange(out, at, at += jobs.get(i).n * perRow);
                }
            }
        } catch (RuntimeException e) {
            error = e;
        } catch (Error e) { // every waiting request must still be answered
            error = new IllegalStateException(e);
        }
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            j.output = outputs[i];
            j.error = error;
            j.state.set(DONE);
            if (j != me) LockSupport.unpark(j.thread);
        }
    }

    private float[] run(float[] rows, int n) {
        batchSizes.accept(n);
        int[] shape = new int[exampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return forward.apply(Tensor.of(rows, shape)).contiguousData();
    }
}
