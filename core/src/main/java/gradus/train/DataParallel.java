package gradus.train;

import gradus.tensor.Tensor;

import java.util.List;

/**
 * The exchange among the replicas of data-parallel training, one per worker (a Spark barrier task, a process):
 * every replica sees the same global batches, computes the gradient of its share of each
 * ({@link #share}) and the exchange averages them, so every replica takes the step one process would take on the
 * whole batch. {@link Trainer#dataParallel} plugs it in; implementations live outside core (gradus-spark's ring).
 */
public interface DataParallel {
    int rank();

    int workers();

    /** Rows {@code [from, to)} of a batch of {@code n} this rank computes: contiguous shares, sizes differing by at most one. */
    default int[] share(int n) {
        return new int[]{(int) ((long) n * rank() / workers()), (int) ((long) n * (rank() + 1) / workers())};
    }

    /** Makes every replica's tensors (parameters and buffers) equal to rank 0's, before the first step. */
    void broadcast(List<Tensor> tensors);

    /**
     * Replaces each parameter's gradient (the mean over this rank's {@code count} examples; none or zero count counts
     * as zeros) by the mean over all ranks' examples. Returns {Σ count, Σ count·loss} over the ranks.
     */
    double[] averageGradients(List<Tensor> parameters, int count, double loss);

    /** Whether any rank asks to stop; every rank calls it at the end of every epoch, so all stop together. */
    boolean anyStop(boolean stop);
}
