package gradus.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Splits index ranges over a fixed set of worker threads, one per core. A training step hands out dozens of
 * loops of a few microseconds each, so hand-off latency matters more than anything else: workers spin for a
 * short while ({@code -Dgradus.spinMicros}, default 100) after each loop before parking, the caller takes
 * chunks itself, and chunks are claimed dynamically. Work below {@code grain} items runs on the caller's thread.
 * Chunk boundaries depend only on the range and the thread count, so results are deterministic.
 */
public final class Parallel {
    private static final long SPIN_NANOS = Long.getLong("gradus.spinMicros", 100) * 1000;

    private static volatile Pool pool = new Pool(Math.max(1, Integer.getInteger("gradus.threads",
            Runtime.getRuntime().availableProcessors())));

    private Parallel() {}

    /** The body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    public static int threads() {
        return pool.threads;
    }

    /** Sets the number of threads, the caller's included (like {@code torch.set_num_threads}). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == pool.threads) return;
        Pool old = pool;
        pool = new Pool(n);
        old.shutdown();
    }

    /** Runs {@code body} over [0, n) in up to {@link #threads()} contiguous chunks of at least {@code grain}. */
    public static void forRange(int n, int grain, Range body) {
        Pool p = pool;
        int chunks = Math.min(p.threads, Math.max(1, n / Math.max(1, grain)));
        // Nested loops, and loops from a second thread while one runs, go inline: the cores are busy already.
        if (chunks <= 1 || Thread.currentThread() instanceof Worker || !p.lock.tryLock()) {
            if (n > 0) body.run(0, n);
            return;
        }
        try {
            if (p.lock.getHoldCount() > 1) { // the caller's own chunk of an outer loop
                body.run(0, n);
                return;
            }
            p.run(new Job(body, n, chunks));
        } finally {
            p.lock.unlock();
        }
    }

    /** One parallel loop: chunks are claimed by whichever thread is free. */
    private static final class Job {
        final Range body;
        final int n, chunks;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable error;

        Job(Range body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
        }

        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    error = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static final class Worker extends Thread {
        final Pool pool;
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("gradus-worker-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job last = null;
            while (!pool.stopped) {
                Job j = pool.job;
                if (j != last && j != null) {
                    last = j;
                    j.work();
                    continue;
                }
                long until = System.nanoTime() + SPIN_NANOS;
                while ((j = pool.job) == last && !pool.stopped && System.nanoTime() < until) Thread.onSpinWait();
                if (j == last && !pool.stopped) {
                    parked = true; // then re-check: a job published before this write is seen below, one after it unparks us
                    if (pool.job == last && !pool.stopped) LockSupport.park(this);
                    parked = false;
                }
            }
        }
    }

    private static final class Pool {
        final int threads;
        final Worker[] workers;
        final ReentrantLock lock = new ReentrantLock();
        volatile Job job;
        volatile boolean stopped;

        Pool(int threads) {
            this.threads = threads;
            workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void run(Job j) {
            job = j;
            for (Worker w : workers) {
                if (w.parked) LockSupport.unpark(w);
            }
            j.work();
            // The remaining chunks are in the workers' hands and about as long as the caller's; if a worker
            // was descheduled (a busy machine), yield the core to it rather than spin against it.
            long yieldAfter = System.nanoTime() + SPIN_NANOS;
            while (j.done.get() < j.chunks) {
                if (System.nanoTime() < yieldAfter) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable e = j.error;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error err) throw err;
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }
}
