package gradus.explain;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/** Picks the explained output of a model: one column of [N, C], or the only value of [N] / [N, 1]. */
final class Outputs {
    private Outputs() {}

    /** Column {@code target} of outputs for {@code n} examples, as [N] (stays in the graph). */
    static Tensor column(Tensor out, int n, int target) {
        if (out.dim() == 0 || out.size(0) != n) {
            throw new IllegalArgumentException("the model gave outputs of shape " + Shape.str(out.shape())
                    + " for a batch of " + n + "; expected [" + n + ", classes]");
        }
        Tensor rows = out.reshape(n, -1);
        int classes = rows.size(1);
        if (target < 0 || target >= classes) {
            throw new IllegalArgumentException("target " + target + " is out of range: the model has "
                    + classes + (classes == 1 ? " output" : " outputs") + " (0.." + (classes - 1) + ")");
        }
        return classes == 1 ? rows.reshape(n) : rows.select(1, target);
    }

    /** The index of the largest output of each row (0 for single-output models). */
    static int[] argmax(Tensor out) {
        int n = out.size(0);
        Tensor rows = out.reshape(n, -1);
        if (rows.size(1) == 1) return new int[n];
        return rows.argmax(1).data().clone();
    }
}
