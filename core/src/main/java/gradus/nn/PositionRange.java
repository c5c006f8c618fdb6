package gradus.nn;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/** The rows of a position table that a [.., T, dim] input at a given offset needs, with checks. */
final class PositionRange {
    private PositionRange() {}

    static Tensor rows(Tensor table, Tensor x, int offset, int dim, int maxLen, String layer) {
        if (x.dim() < 2 || x.size(-1) != dim) {
            throw new IllegalArgumentException(layer + "(" + maxLen + ", " + dim + ") expects [batch, time, " + dim + "] or [time, " + dim
                    + "], got " + Shape.str(x.shape()));
        }
        int t = x.size(-2);
        if (offset < 0 || offset + t > maxLen) {
            throw new IllegalArgumentException(layer + " covers " + maxLen + " positions; " + t + " tokens at offset " + offset
                    + " go past it");
        }
        return table.narrow(0, offset, t);
    }
}
