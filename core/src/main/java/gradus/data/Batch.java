package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

/**
 * A batch of examples: inputs {@code x} and either class {@code labels} (classification) or float
 * {@code targets} (regression, binary targets for BCE). The first dimension is the batch.
 */
public record Batch(Tensor x, IntTensor labels, Tensor targets) {
    public Batch {
        if (labels == null && targets == null) throw new IllegalArgumentException("a batch needs labels or targets");
    }

    public int size() {
        return x.size(0);
    }

    /** Examples {@code from .. to} (exclusive) as a batch of their own (DP-SGD's physical parts of a logical batch). */
    public Batch rows(int from, int to) {
        if (from < 0 || to > size() || from > to) throw new IndexOutOfBoundsException("rows " + from + ".." + to + " of a batch of " + size());
        return new Batch(x.narrow(0, from, to - from).contiguous(), labels == null ? null : labels.rows(from, to),
                targets == null ? null : targets.narrow(0, from, to - from).contiguous());
    }
}
