package gradus.data;

import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * User–item interactions for recommenders: one (user, item, value) triple per observed pair, ids 0-based and
 * dense ({@code users[i] < numUsers}, {@code items[i] < numItems}). The value is a rating for explicit feedback,
 * 1 for implicit feedback (a purchase, a click).
 */
public record Interactions(int[] users, int[] items, float[] values, int numUsers, int numItems) {
    public Interactions {
        if (users.length != items.length || users.length != values.length) {
            throw new IllegalArgumentException("interactions need as many users as items and values, got "
                    + users.length + ", " + items.length + " and " + values.length);
        }
        for (int i = 0; i < users.length; i++) {
            if (users[i] < 0 || users[i] >= numUsers || items[i] < 0 || items[i] >= numItems) {
                throw new IllegalArgumentException("interaction " + i + " is (user " + users[i] + ", item " + items[i]
                        + "), outside " + numUsers + " users x " + numItems + " items");
            }
        }
    }

    public int size() {
        return users.length;
    }

    /**
     * A seeded per-user split: of each user's interactions, {@code round(testFraction * n)} go to the second part
     * (the test set), but at least one stays in the first, so every test user has a history to recommend from.
     */
    public Parts splitPerUser(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        List<List<Integer>> byUser = new ArrayList<>(numUsers);
        for (int u = 0; u < numUsers; u++) byUser.add(new ArrayList<>());
        for (int i = 0; i < size(); i++) byUser.get(users[i]).add(i);
        Rng rng = new Rng(seed);
        boolean[] test = new boolean[size()];
        for (List<Integer> rows : byUser) {
            if (rows.size() < 2) continue;
            int[] order = rng.permutation(rows.size());
            int held = (int) Math.min(rows.size() - 1, Math.round(testFraction * rows.size()));
            for (int j = 0; j < held; j++) test[rows.get(order[j])] = true;
        }
        return new Parts(select(test, false), select(test, true));
    }

    /** The training and test parts of a split. */
    public record Parts(Interactions train, Interactions test) {}

    private Interactions select(boolean[] mask, boolean keep) {
        int n = 0;
        for (boolean b : mask) if (b == keep) n++;
        int[] u = new int[n], it = new int[n];
        float[] v = new float[n];
        for (int i = 0, j = 0; i < mask.length; i++) {
            if (mask[i] != keep) continue;
            u[j] = users[i];
            it[j] = items[i];
            v[j++] = values[i];
        }
        return new Interactions(u, it, v, numUsers, numItems);
    }

    /** Each user's items, as a bit set over item ids. */
    public BitSet[] itemsByUser() {
        BitSet[] seen = new BitSet[numUsers];
        for (int u = 0; u < numUsers; u++) seen[u] = new BitSet(numItems);
        for (int i = 0; i < size(); i++) seen[users[i]].set(items[i]);
        return seen;
    }

    /** The pairs as a data set: inputs {@code [n, 2]} (user id, item id as floats), targets {@code [n, 1]} the values. */
    public TensorDataset toDataset() {
        float[] x = new float[2 * size()];
        for (int i = 0; i < size(); i++) {
            x[2 * i] = users[i];
            x[2 * i + 1] = items[i];
        }
        return new TensorDataset(Tensor.of(x, size(), 2), Tensor.of(values.clone(), size(), 1));
    }

    /**
     * Implicit feedback for a pointwise model (NCF's training set): every interaction as a positive (target 1) and,
     * per positive, {@code negatives} items the user has not interacted with (target 0), drawn with {@code seed}.
     */
    public Interactions withSampledNegatives(int negatives, long seed) {
        BitSet[] seen = itemsByUser();
        int n = size() * (1 + negatives);
        int[] u = new int[n], it = new int[n];
        float[] v = new float[n];
        Rng rng = new Rng(seed);
        int j = 0;
        for (int i = 0; i < size(); i++) {
            u[j] = users[i];
            it[j] = items[i];
            v[j++] = 1f;
            for (int k = 0; k < negatives; k++) {
                u[j] = users[i];
                it[j] = sampleUnseen(seen[users[i]], rng);
                v[j++] = 0f;
            }
        }
        return new Interactions(u, it, v, numUsers, numItems);
    }

    /** An item outside {@code seen}, uniformly (rejection sampling: a user has seen only a fraction of the items). */
    public int sampleUnseen(BitSet seen, Rng rng) {
        if (seen.cardinality() >= numItems) throw new IllegalArgumentException("a user has interacted with every item: no negative to sample");
        while (true) {
            int item = rng.nextInt(numItems);
            if (!seen.get(item)) return item;
        }
    }

    @Override
    public String toString() {
        return String.format("Interactions(%,d pairs, %,d users x %,d items)", size(), numUsers, numItems);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Interactions other && numUsers == other.numUsers && numItems == other.numItems
                && Arrays.equals(users, other.users) && Arrays.equals(items, other.items) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(users) * 31 + Arrays.hashCode(items);
    }
}
