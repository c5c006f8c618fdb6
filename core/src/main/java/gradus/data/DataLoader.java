package gradus.data;

import gradus.tensor.Rng;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Iterates a {@link Dataset} in mini-batches, optionally shuffled and prefetched on a background
 * thread. Configure it fluently, then iterate; every {@code iterator()} starts the next epoch:
 * <pre>{@code
 * DataLoader loader = DataLoader.of(train).batchSize(128).shuffle(42).dropLast(true).prefetch(2);
 * for (Batch b : loader) { ... }
 * }</pre>
 * With {@code shuffle(seed)} the order of epoch {@code e} depends only on the seed and {@code e},
 * so runs (and resumed runs, via {@link #epoch(int)}) are reproducible.
 */
public final class DataLoader implements Iterable<Batch> {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Dataset dataset;
    private int batchSize = 32;
    private boolean shuffle;
    private long seed;
    private boolean dropLast;
    private int prefetch;
    private Augment.Transform augment;
    private long augmentSeed;
    private double poissonRate;
    private final AtomicInteger nextEpoch = new AtomicInteger();

    private DataLoader(Dataset dataset) {
        if (dataset == null) throw new IllegalArgumentException("dataset is null");
        this.dataset = dataset;
    }

    /** A loader over {@code dataset}: batches of 32 in order, no prefetch, until configured otherwise. */
    public static DataLoader of(Dataset dataset) {
        return new DataLoader(dataset);
    }

    public DataLoader batchSize(int size) {
        if (size < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        this.batchSize = size;
        return this;
    }

    /** Shuffles every epoch with a permutation derived from {@code seed} and the epoch number. */
    public DataLoader shuffle(long seed) {
        this.shuffle = true;
        this.seed = seed;
        return this;
    }

    /** Whether to drop the last batch when it is smaller than the batch size. */
    public DataLoader dropLast(boolean drop) {
        this.dropLast = drop;
        return this;
    }

    /**
     * Poisson sampling, as DP-SGD's privacy analysis assumes (Opacus's UniformWithReplacementSampler): each of an
     * epoch's ⌊1/q⌋ batches holds every example independently with probability q = batchSize / dataset size, so
     * batches vary in size around the batch size and may be empty. Draws depend on the seed and the epoch.
     */
    public DataLoader poissonSampling(long seed) {
        this.poissonRate = (double) Math.min(batchSize, dataset.size()) / Math.max(1, dataset.size());
        this.seed = seed;
        return this;
    }

    /** The sampling rate q of {@link #poissonSampling}, or 0 when batches are cut from an order. */
    public double poissonRate() {
        return poissonRate;
    }

    /** How many batches a background thread may prepare ahead of the consumer; 0 loads on the caller's thread. */
    public DataLoader prefetch(int batches) {
        if (batches < 0) throw new IllegalArgumentException("prefetch must be 0 or more batches, got " + batches);
        this.prefetch = batches;
        return this;
    }

    /**
     * Applies {@code transform} to every batch, on the prefetch thread when there is one. Batch k of epoch e draws
     * from a stream derived from (seed, e, k) only, so augmented batches repeat exactly for a seed.
     */
    public DataLoader augment(Augment.Transform transform, long seed) {
        this.augment = transform;
        this.augmentSeed = seed;
        return this;
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch. */
    public int numBatches() {
        int n = dataset.size();
        if (poissonRate > 0) return Math.max(1, (int) (1 / poissonRate));
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The example order of epoch {@code epoch}: identity without shuffling. */
    public int[] order(int epoch) {
        int n = dataset.size();
        if (!shuffle) {
            int[] identity = new int[n];
            Arrays.setAll(identity, i -> i);
            return identity;
        }
        return new Rng(Rng.derive(seed, epoch)).permutation(n);
    }

    /** The batches of the next epoch (the first call gives epoch 0, then 1, ...). */
    @Override
    public Batches iterator() {
        return batchesOf(nextEpoch.getAndIncrement());
    }

    /** The batches of a given epoch, e.g. to resume a run; iterating it does not advance the epoch counter. */
    public Iterable<Batch> epoch(int epoch) {
        return () -> batchesOf(epoch);
    }

    private Batches batchesOf(int epoch) {
        Plan plan = poissonRate > 0 ? poissonPlan(epoch) : Plan.cut(dataset, order(epoch), batchSize, numBatches(), augment, Rng.derive(augmentSeed, epoch));
        return prefetch == 0 ? new Direct(plan) : new Prefetching(plan, prefetch);
    }

    /** An epoch's batches; close it to stop a prefetch thread early (abandoned iterators are also cleaned up once unreachable). */
    public interface Batches extends Iterator<Batch>, AutoCloseable {
        @Override
        void close();
    }

    /** Each batch's examples drawn independently with probability q, concatenated into one order. */
    private Plan poissonPlan(int epoch) {
        Rng rng = new Rng(Rng.derive(seed, epoch));
        int n = dataset.size(), batches = numBatches();
        int[] bounds = new int[batches + 1];
        int[] order = new int[0];
        int used = 0;
        for (int k = 0; k < batches; k++) {
            for (int i = 0; i < n; i++) {
                if (rng.nextDouble() < poissonRate) {
                    if (used == order.length) order = Arrays.copyOf(order, Math.max(16, 2 * used));
                    order[used++] = i;
                }
            }
            bounds[k + 1] = used;
        }
        return new Plan(dataset, order, bounds, batches, augment, Rng.derive(augmentSeed, epoch));
    }

    /** What one epoch loads: batch {@code k} holds examples {@code order[bounds[k] .. bounds[k+1])}. */
    private record Plan(Dataset dataset, int[] order, int[] bounds, int numBatches, Augment.Transform augment, long epochSeed) {
        static Plan cut(Dataset dataset, int[] order, int batchSize, int numBatches, Augment.Transform augment, long epochSeed) {
            int[] bounds = new int[numBatches + 1];
            for (int k = 0; k <= numBatches; k++) bounds[k] = Math.min(k * batchSize, order.length);
            return new Plan(dataset, order, bounds, numBatches, augment, epochSeed);
        }

        Batch load(int k) {
            Batch b = dataset.get(Arrays.copyOfRange(order, bounds[k], bounds[k + 1]));
            return augment == null ? b : augment.apply(b, new Rng(Rng.derive(epochSeed, k)));
        }
    }

    private static final class Direct implements Batches {
        private final Plan plan;
        private int next;

        Direct(Plan plan) {
            this.plan = plan;
        }

        @Override
        public boolean hasNext() {
            return next < plan.numBatches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("no batches left in this epoch");
            return plan.load(next++);
        }

        @Override
        public void close() {
            next = plan.numBatches;
        }
    }

    /** A failure in the producer, handed to the consumer in place of a batch. */
    private record Failure(int batch, Throwable error) {}

    private static final Object END = new Object();

    /**
     * Fills a bounded queue from a virtual thread. The producer holds no reference to the iterator,
     * so an abandoned iterator becomes unreachable and its {@link Cleaner} action stops the thread.
     */
    static final class Prefetching implements Batches {
        private final BlockingQueue<Object> queue;
        private final Stop stop;
        private final Cleaner.Cleanable cleanable;
        private final int numBatches;
        private Object next;
        private boolean finished;

        Prefetching(Plan plan, int capacity) {
            this.numBatches = plan.numBatches;
            this.queue = new ArrayBlockingQueue<>(capacity);
            BlockingQueue<Object> q = queue;
            Thread producer = Thread.ofVirtual().name("gradus-prefetch").unstarted(() -> produce(plan, q));
            this.stop = new Stop(producer);
            this.cleanable = CLEANER.register(this, stop);
            producer.start();
        }

        private static void produce(Plan plan, BlockingQueue<Object> queue) {
            int k = 0;
            try {
                for (; k < plan.numBatches; k++) {
                    if (Thread.currentThread().isInterrupted()) return;
                    queue.put(plan.load(k));
                }
                queue.put(END);
            } catch (InterruptedException e) {
                // The consumer closed or abandoned the epoch: nobody will read what we would produce.
            } catch (Throwable t) {
                try {
                    queue.put(new Failure(k, t));
                } catch (InterruptedException ignored) {
                    // Closed while reporting: the consumer is gone.
                }
            }
        }

        @Override
        public boolean hasNext() {
            if (next != null) return true;
            if (finished) return false;
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException("interrupted while waiting for the next batch", e);
            }
            if (item == END) {
                finish();
                return false;
            }
            if (item instanceof Failure f) {
                finish();
                throw new DataException("loading batch " + f.batch + " of " + numBatches + " failed: " + f.error, f.error);
            }
            next = item;
            return true;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("no batches left in this epoch");
            Batch b = (Batch) next;
            next = null;
            return b;
        }

        private void finish() {
            finished = true;
            cleanable.clean();
        }

        @Override
        public void close() {
            next = null;
            finish();
        }

        // For tests: the thread to watch when checking that closing or abandoning an epoch stops it.
        Thread producerThread() {
            return stop.producer;
        }
    }

    /** Stops a producer; run on close, at the end of the epoch, or by the cleaner. */
    private record Stop(Thread producer) implements Runnable {
        @Override
        public void run() {
            producer.interrupt();
        }
    }
}
