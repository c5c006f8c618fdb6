package gradus.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class SplitTest {
    private static int[] labels(Dataset d) {
        return d.get(IntStream.range(0, d.size()).toArray()).labels().data();
    }

    @Test
    void randomSplitHasTheRightSizesAndIsDisjoint() {
        TensorDataset data = DataLoaderTest.identity(101);
        Split<TensorDataset> s = Split.randomSplit(data, 0.9, 5);
        assertEquals(91, s.first().size());
        assertEquals(10, s.second().size());
        int[] all = IntStream.concat(Arrays.stream(labels(s.first())), Arrays.stream(labels(s.second()))).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 101).toArray(), all, "disjoint and covering");
        assertArrayEquals(labels(s.second()), labels(Split.randomSplit(data, 0.9, 5).second()), "reproducible");
        assertFalse(Arrays.equals(labels(s.second()), labels(Split.randomSplit(data, 0.9, 6).second())), "seeded");
        assertFalse(Arrays.equals(labels(s.second()), IntStream.range(91, 101).toArray()), "random, not the tail");
    }

    @Test
    void genericDatasetsSplitIntoViews() {
        Dataset data = new Subset(DataLoaderTest.identity(20), IntStream.range(0, 20).toArray());
        Split<Dataset> s = Split.randomSplit(data, 0.25, 1);
        assertEquals(5, s.first().size());
        assertEquals(15, s.second().size());
        assertEquals(0, IntStream.of(labels(s.first())).filter(i -> IntStream.of(labels(s.second())).anyMatch(j -> j == i)).count());
    }

    @Test
    void splitsByPosition() {
        TensorDataset data = DataLoaderTest.identity(10);
        Split<TensorDataset> at = Split.at(data, 7);
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6}, labels(at.first()));
        assertArrayEquals(new int[]{7, 8, 9}, labels(at.second()));
        Split<TensorDataset> ordered = Split.ordered(data, 0.8);
        assertArrayEquals(new int[]{8, 9}, labels(ordered.second()));
        assertEquals(0, Split.at(data, 0).first().size());
        assertThrows(IllegalArgumentException.class, () -> Split.at(data, 11));
        assertThrows(IllegalArgumentException.class, () -> Split.randomSplit(data, 1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> Split.ordered(data, Double.NaN));
    }
}
