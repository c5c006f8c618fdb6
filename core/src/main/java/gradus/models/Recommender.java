package gradus.models;

import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/**
 * A model that scores (user, item) pairs: its {@code forward} takes {@code [B, 2]} (user id, item id) and returns
 * {@code [B, 1]}, a predicted rating or a preference logit; {@link #scores} ranks every item for one user.
 */
public interface Recommender {
    int numUsers();

    int numItems();

    /** The score of every item for {@code user}, higher is better (no gradient is kept). */
    float[] scores(int user);

    /** The user and item ids of pairs {@code [B, 2]} given as whole-number floats, checked against the table sizes. */
    static IntTensor[] ids(Tensor pairs, int numUsers, int numItems) {
        if (pairs.dim() != 2 || pairs.size(1) != 2) {
            throw new IllegalArgumentException("a recommender takes (user, item) pairs of shape [B, 2], got " + Shape.str(pairs.shape()));
        }
        float[] v = pairs.contiguousData();
        int b = pairs.size(0);
        int[] users = new int[b], items = new int[b];
        for (int r = 0; r < b; r++) {
            users[r] = id(v[2 * r], numUsers, "user", r);
            items[r] = id(v[2 * r + 1], numItems, "item", r);
        }
        return new IntTensor[]{IntTensor.of(users, b), IntTensor.of(items, b)};
    }

    private static int id(float v, int count, String what, int row) {
        if (v != Math.rint(v) || v < 0 || v >= count) {
            throw new IllegalArgumentException("row " + row + ": " + what + " id " + v + " is not a whole number in [0, " + count + ")");
        }
        return (int) v;
    }
}
