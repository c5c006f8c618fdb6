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
}
