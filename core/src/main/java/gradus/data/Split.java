package gradus.data;

import gradus.tensor.Rng;

import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * A dataset cut in two disjoint parts, e.g. training and validation examples. The first part gets
 * {@code round(fraction * size)} examples.
 *
 * @param first  the first part (training examples)
 * @param second the rest (validation examples)
 */
public record Split<D extends Dataset>(D first, D second) {

    /** A seeded random split: the same seed and size always give the same parts. */
    public static Split<TensorDataset> randomSplit(TensorDataset dataset, double firstFraction, long seed) {
        return random(dataset, firstFraction, seed, TensorDataset::subset);
    }

    /** A seeded random split of any dataset (the parts are index views of it). */
    public static Split<Dataset> randomSplit(Dataset dataset, double firstFraction, long seed) {
        return random(dataset, firstFraction, seed, Dataset::subset);
    }

    /** The first {@code firstFraction} of the examples, in order, and the rest. */
    public static Split<TensorDataset> ordered(TensorDataset dataset, double firstFraction) {
        return at(dataset, sizeOf(dataset, firstFraction));
    }

    public static Split<Dataset> ordered(Dataset dataset, double firstFraction) {
        return at(dataset, sizeOf(dataset, firstFraction));
    }

    /** Examples {@code [0, position)} and {@code [position, size)}. */
    public static Split<TensorDataset> at(TensorDataset dataset, int position) {
        return cut(dataset, position, TensorDataset::subset);
    }

    public static Split<Dataset> at(Dataset dataset, int position) {
        return cut(dataset, position, Dataset::subset);
    }

    private static <D extends Dataset> Split<D> random(D dataset, double fraction, long seed, BiFunction<D, int[], D> subset) {
        int firstSize = sizeOf(dataset, fraction);
        int[] order = new Rng(seed).permutation(dataset.size());
        // Sorting each part keeps examples in their original relative order, which makes subsets easier to inspect.
        int[] first = Arrays.copyOfRange(order, 0, firstSize);
        int[] second = Arrays.copyOfRange(order, firstSize, order.length);
        Arrays.sort(first);
        Arrays.sort(second);
        return new Split<>(subset.apply(dataset, first), subset.apply(dataset, second));
    }

    private static <D extends Dataset> Split<D> cut(D dataset, int position, BiFunction<D, int[], D> subset) {
        int n = dataset.size();
        if (position < 0 || position > n) {
            throw new IllegalArgumentException("split position " + position + " outside [0, " + n + "]");
        }
        return new Split<>(subset.apply(dataset, range(0, position)), subset.apply(dataset, range(position, n)));
    }

    private static int sizeOf(Dataset dataset, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("split fraction must be in [0, 1], got " + fraction);
        }
        return (int) Math.round(fraction * dataset.size());
    }

    private static int[] range(int from, int to) {
        int[] idx = new int[to - from];
        Arrays.setAll(idx, i -> from + i);
        return idx;
    }
}
