package gradus.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits index ranges over one shared pool sized to the cores.
 * Work below {@code grain} items runs on the caller's thread: forking costs microseconds.
 * The split points depend only on the range and the thread count, so results are deterministic.
 */
public final class Parallel {
    private static volatile int threads = Integer.getInteger("gradus.threads",
            Runtime.getRuntime().availableProcessors());
    private static volatile ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));

    private Parallel() {}

    /** The body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    public static int threads() {
        return threads;
    }

    /** Sets the number of worker threads (like {@code torch.set_num_threads}). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = new ForkJoinPool(n);
        threads = n;
        old.shutdown();
    }

    /** Nested loops run inline: the outer loop already uses every core. */
    private static boolean insidePool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool;
    }

    /** Runs {@code body} over [0, n) in up to {@link #threads()} contiguous chunks of at least {@code grain}. */
    public static void forRange(int n, int grain, Range body) {
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || insidePool()) {
            if (n > 0) body.run(0, n);
            return;
        }
        // The caller runs the first chunk itself instead of idling while the pool works (saves a wake-up).
        ForkJoinTask<?>[] rest = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            rest[c - 1] = pool.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) n / chunks));
        for (ForkJoinTask<?> t : rest) t.join();
    }
}
