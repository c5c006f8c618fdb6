package gradus.spark;

import gradus.data.Batch;
import gradus.data.DataLoader;
import gradus.data.Dataset;
import gradus.tensor.Rng;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Which examples each worker trains on at each step. Example {@code i} (in the input's order) lives on worker
 * {@code i mod N}; every epoch each worker shuffles its own examples as a core {@link DataLoader} with seed
 * {@code derive(seed, rank)} does (so the order depends only on the seed, the rank and the epoch), and global step
 * {@code k} is the concatenation of every worker's k-th local batch of {@code B/N} examples. {@link #globalBatch}
 * lists that batch, so one process can replay exactly what N workers trained on.
 */
public record ShardPlan(int examples, int workers, int globalBatchSize, long seed, boolean shuffle) implements Serializable {
    public ShardPlan {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        if (globalBatchSize < workers || globalBatchSize % workers != 0) {
            throw new IllegalArgumentException("the global batch size (" + globalBatchSize + ") must be a multiple of the number of workers (" + workers + ")");
        }
        if (examples < workers) {
            throw new IllegalArgumentException(examples + " examples cannot be shared among " + workers + " workers: every worker needs at least one");
        }
    }

    public int localBatchSize() {
        return globalBatchSize / workers;
    }

    /** Examples held by worker {@code rank}. */
    public int localSize(int rank) {
        return examples / workers + (rank < examples % workers ? 1 : 0);
    }

    /** Steps per epoch: the last may be short (no example is dropped), as a loader without dropLast. */
    public int stepsPerEpoch() {
        return (localSize(0) + localBatchSize() - 1) / localBatchSize();
    }

    /** The worker which holds example {@code i}. */
    public int rankOf(long i) {
        return (int) (i % workers);
    }

    /** The local positions (into the worker's examples, sorted by input index) worker {@code rank} uses in {@code epoch}. */
    public int[] localOrder(int rank, int epoch) {
        DataLoader loader = DataLoader.of(new Sized(localSize(rank)));
        if (shuffle) loader.shuffle(Rng.derive(seed, rank));
        return loader.order(epoch);
    }

    /** The part {@code [from, to)} of {@link #localOrder} that forms the worker's share of step {@code step}. */
    public int[] localRange(int rank, int step) {
        int from = Math.min(step * localBatchSize(), localSize(rank));
        int to = Math.min(from + localBatchSize(), localSize(rank));
        return new int[]{from, to};
    }

    /** The input indices of global step {@code step} of {@code epoch}, worker 0's share first. */
    public int[] globalBatch(int epoch, int step) {
        int[] all = new int[0];
        for (int r = 0; r < workers; r++) {
            int[] order = localOrder(r, epoch);
            int[] range = localRange(r, step);
            int[] part = new int[range[1] - range[0]];
            for (int j = 0; j < part.length; j++) part[j] = r + order[range[0] + j] * workers;
            int old = all.length;
            all = Arrays.copyOf(all, old + part.length);
            System.arraycopy(part, 0, all, old, part.length);
        }
        return all;
    }

    /** Only a size: what a loader needs to compute an order. */
    private record Sized(int size) implements Dataset {
        @Override
        public Batch get(int[] indices) {
            throw new UnsupportedOperationException("a plan's order needs no examples");
        }
    }
}
