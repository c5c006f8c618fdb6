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
        buffers.add(new float[size]);
    }

    int count() {
        return buckets.size();
    }

    /** Replaces every gradient g by Σ over ranks of weight·g (a missing gradient counts as zeros). */
    void weightedSum(float weight, RingAllReduce ring) throws IOException {
        for (int b = 0; b < buckets.size(); b++) {
            float[] buf = buffers.get(b);
            int pos = 0;
            for (Tensor p : buckets.get(b)) {
                Tensor g = p.grad();
                int n = p.numel();
                if (g == null) {
                    java.util.Arrays.fill(buf, pos, pos + n, 0f);
                } else {
                    float[] src = g.isContiguous() ? g.data() : g.toArray();
                    int off = g.isContiguous() ? g.offset() : 0;
                    for (int i = 0; i < n; i++) buf[pos + i] = src[off + i] * weight;
                }
                pos += n;
            }
            ring.sumInPlace(buf, 0, buf.length);
            pos = 0;
            for (Tensor p : buckets.get(b)) {
                int n = p.numel();
                Tensor g = p.grad();
                if (g != null && g.isContiguous()) {
                    System.arraycopy(buf, pos, g.data(), g.offset(), n);
                } else {
                    p.setGrad(Tensor.of(java.util.Arrays.copyOfRange(buf, pos, pos + n), p.shape()));
                }
                pos += n;
            }
        }
    }
}
