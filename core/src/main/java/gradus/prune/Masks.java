package gradus.prune;

import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Unstructured pruning masks (torch.nn.utils.prune's weight_mask): per pruned weight tensor, which values are
 * kept. {@link #apply()} zeroes the others in place, after every optimizer step during fine-tuning, so that a
 * pruned weight stays zero however its gradient pulls.
 */
public final class Masks {
    private final Map<String, Tensor> weights;
    private final Map<String, boolean[]> keep;

    Masks(Map<String, Tensor> weights, Map<String, boolean[]> keep) {
        this.weights = weights;
        this.keep = keep;
    }

    /** Name → kept flags, row-major as the weight. */
    public Map<String, boolean[]> kept() {
        return keep;
    }

    /** Zeroes the pruned values of every masked weight (in place). */
    public void apply() {
        for (var e : keep.entrySet()) {
            Tensor w = weights.get(e.getKey());
            float[] d = w.data();
            boolean[] k = e.getValue();
            for (int i = 0; i < k.length; i++) if (!k[i]) d[w.offset() + i] = 0f;
        }
    }

    /** The masks as 0/1 float tensors under {@code <name>.weight_mask} (PyTorch's name), for saving next to a checkpoint. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : keep.entrySet()) {
            float[] v = new float[e.getValue().length];
            for (int i = 0; i < v.length; i++) v[i] = e.getValue()[i] ? 1f : 0f;
            out.put(e.getKey() + "_mask", Tensor.of(v, weights.get(e.getKey()).shape()));
        }
        return out;
    }

    /** Fraction of masked values over all masked tensors. */
    public double sparsity() {
        long total = 0, pruned = 0;
        for (boolean[] k : keep.values()) {
            total += k.length;
            for (boolean b : k) if (!b) pruned++;
        }
        return total == 0 ? 0 : (double) pruned / total;
    }
}
