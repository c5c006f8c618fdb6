package gradus.spark;

import gradus.tensor.Tensor;
import gradus.train.DataParallel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Core's {@link DataParallel} over a {@link RingAllReduce}: the gradients in {@link GradientBuckets} (built on the
 * first step, from the last layer back), the broadcast and the stop vote as sums over the ring.
 */
final class RingDataParallel implements DataParallel {
    private final RingAllReduce ring;
    private final int bucketFloats;
    private Runnable beforeBroadcast;
    private GradientBuckets buckets;
    private List<Tensor> bucketed;

    /** {@code beforeBroadcast} runs on entering the first {@link #broadcast} (the Spark runner lets the other ranks start there). */
    RingDataParallel(RingAllReduce ring, int bucketFloats, Runnable beforeBroadcast) {
        this.ring = ring;
        this.bucketFloats = bucketFloats;
        this.beforeBroadcast = beforeBroadcast;
    }

    @Override
    public int rank() {
        return ring.rank();
    }

    @Override
    public int workers() {
        return ring.size();
    }

    /** Rank 0's values plus zeros from every other rank: an exact copy, in one sum. */
    @Override
    public void broadcast(List<Tensor> tensors) {
        if (beforeBroadcast != null) beforeBroadcast.run();
        beforeBroadcast = null;
        int total = 0;
        for (Tensor t : tensors) total += t.numel();
        float[] buf = new float[total];
        int pos = 0;
        if (rank() == 0) {
            for (Tensor t : tensors) {
                float[] v = t.contiguous().toArray();
                System.arraycopy(v, 0, buf, pos, v.length);
                pos += v.length;
            }
        }
        sum(buf);
        pos = 0;
        for (Tensor t : tensors) {
            int n = t.numel();
            t.copyFrom(Tensor.of(java.util.Arrays.copyOfRange(buf, pos, pos + n), t.shape()));
            pos += n;
        }
    }

    @Override
    public double[] averageGradients(List<Tensor> parameters, int count, double loss) {
        if (buckets == null || !parameters.equals(bucketed)) {
            buckets = new GradientBuckets(parameters, bucketFloats);
            bucketed = List.copyOf(parameters);
        }
        try {
            float[] stats = buckets.average(count, (float) loss, ring);
            return new double[]{stats[0], stats[1]};
        } catch (IOException e) {
            throw new UncheckedIOException("all-reduce of worker " + rank() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean anyStop(boolean stop) {
        float[] vote = {stop ? 1 : 0};
        sum(vote);
        return vote[0] > 0;
    }

    private void sum(float[] buf) {
        try {
            ring.sumInPlace(buf, 0, buf.length);
        } catch (IOException e) {
            throw new UncheckedIOException("all-reduce of worker " + rank() + ": " + e.getMessage(), e);
        }
    }
}
