package gradus.spark;

import gradus.tensor.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters grouped into buckets of about {@code bucketFloats} floats, in reverse order (the order backward
 * finishes them), each averaged across the ring with one all-reduce: few large messages instead of one per tensor.
 */
final class GradientBuckets {
    private final List<List<Tensor>> buckets = new ArrayList<>();
    private final List<float[]> buffers = new ArrayList<>();

    GradientBuckets(List<Tensor> parameters, int bucketFloats) {
        List<Tensor> current = new ArrayList<>();
        int size = 0;
        for (int i = parameters.size() - 1; i >= 0; i--) {
            Tensor p = parameters.get(i);
            if (!current.isEmpty() && size + p.numel() > bucketFloats) {
                add(current, size);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(p);
            size += p.numel();
        }
        if (!current.isEmpty()) add(current, size);
    }

    private void add(List<Tensor> bucket, int size) {
        buckets.add(bucket);
        buffers.add(new float[size + STATS]);
    }

    /** The last bucket carries the step's example count and loss sum too: one message fewer per step. */
    static final int STATS = 2;

    int count() {
        return buckets.size();
    }

    /**
     * Replaces every gradient g (the mean over this rank's {@code count} examples; a missing one counts as zeros) by
     * Σ count·g / Σ count over the ranks: the mean over the global batch. Returns {Σ count, Σ count·loss}.
     */
    float[] average(int count, float loss, RingAllReduce ring) throws IOException {
        float[] stats = new float[STATS];
        for (int b = 0; b < buckets.size(); b++) {
            float[] buf = buffers.get(b);
            boolean last = b == buckets.size() - 1;
            int pos = 0;
            for (Tensor p : buckets.get(b)) {
                Tensor g = p.grad();
                int n = p.numel();
                if (g == null || count == 0) {
                    java.util.Arrays.fill(buf, pos, pos + n, 0f);
                } else {
                    float[] src = g.isContiguous() ? g.data() : g.toArray();
                    int off = g.isContiguous() ? g.offset() : 0;
                    for (int i = 0; i < n; i++) buf[pos + i] = src[off + i] * count;
                }
                pos += n;
            }
            int length = pos;
            if (last) {
                buf[pos] = count;
                buf[pos + 1] = loss * count;
                length += STATS;
            }
            ring.sumInPlace(buf, 0, length);
            if (last) {
                stats[0] = buf[pos];
                stats[1] = buf[pos + 1];
            }
        }
        // every bucket is summed before any is scaled: the total count arrives with the last one
        float scale = 1f / stats[0];
        for (int b = 0; b < buckets.size(); b++) {
            float[] buf = buffers.get(b);
            int pos = 0;
            for (Tensor p : buckets.get(b)) {
                int n = p.numel();
                Tensor g = p.grad();
                if (g != null && g.isContiguous()) {
                    float[] dst = g.data();
                    int off = g.offset();
                    for (int i = 0; i < n; i++) dst[off + i] = buf[pos + i] * scale;
                } else {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = buf[pos + i] * scale;
                    p.setGrad(Tensor.of(v, p.shape()));
                }
                pos += n;
            }
        }
        return stats;
    }
}
