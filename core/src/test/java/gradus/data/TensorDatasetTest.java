package gradus.data;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TensorDatasetTest {
    static TensorDataset counting(int n) {
        // Example i has inputs [i, 10i, 100i] arranged as [1, 3] and label i % 3.
        float[] x = new float[n * 3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[3 * i] = i;
            x[3 * i + 1] = 10 * i;
            x[3 * i + 2] = 100 * i;
            y[i] = i % 3;
        }
        return new TensorDataset(Tensor.of(x, n, 1, 3), IntTensor.of(y), List.of("a", "b", "c"));
    }

    @Test
    void gathersRowsInTheGivenOrder() {
        Batch b = counting(10).get(new int[]{7, 2, 7});
        assertArrayEquals(new int[]{3, 1, 3}, b.x().shape());
        assertArrayEquals(new float[]{7, 70, 700, 2, 20, 200, 7, 70, 700}, b.x().toArray());
        assertArrayEquals(new int[]{1, 2, 1}, b.labels().data());
        assertNull(b.targets());
        assertEquals(3, b.size());
    }

    @Test
    void gathersRegressionTargets() {
        Tensor x = Tensor.arange(8).reshape(4, 2);
        Tensor t = Tensor.of(new float[]{0.5f, 1.5f, 2.5f, 3.5f}, 4, 1);
        TensorDataset d = new TensorDataset(x, t);
        Batch b = d.get(new int[]{3, 0});
        assertArrayEquals(new float[]{6, 7, 0, 1}, b.x().toArray());
        assertArrayEquals(new float[]{3.5f, 0.5f}, b.targets().toArray());
        assertArrayEquals(new int[]{2, 1}, b.targets().shape());
        assertNull(b.labels());
        assertEquals(0, d.numClasses());
    }

    @Test
    void acceptsNonContiguousInputs() {
        Tensor x = Tensor.arange(6).reshape(2, 3).t(); // [3, 2], a transposed view
        TensorDataset d = new TensorDataset(x, IntTensor.of(new int[]{0, 1, 0}));
        assertArrayEquals(new float[]{2, 5}, d.get(new int[]{2}).x().toArray());
    }

    @Test
    void subsetCopiesRowsAndKeepsNames() {
        TensorDataset s = counting(10).subset(new int[]{9, 4});
        assertEquals(2, s.size());
        assertArrayEquals(new float[]{9, 90, 900, 4, 40, 400}, s.x().toArray());
        assertEquals(List.of("a", "b", "c"), s.classNames());
        assertEquals(3, s.numClasses());
        assertArrayEquals(new int[]{1, 3}, s.exampleShape());
    }

    @Test
    void genericSubsetIsAView() {
        Dataset d = counting(10);
        Dataset view = new Subset(d, new int[]{5, 6, 7, 8}).subset(new int[]{3, 0});
        assertEquals(2, view.size());
        assertArrayEquals(new int[]{8 % 3, 5 % 3}, view.get(new int[]{0, 1}).labels().data());
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset(d, new int[]{10}));
    }

    @Test
    void rejectsMismatchedSizesAndBadIndices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(4, 2), IntTensor.of(new int[]{0, 1, 2})));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.zeros(2, 2), IntTensor.of(new int[]{0, 3}), List.of("a", "b")));
        assertThrows(IndexOutOfBoundsException.class, () -> counting(3).get(new int[]{3}));
        assertThrows(IllegalArgumentException.class, () -> counting(3).withFeatureNames(List.of("only-one")));
    }
}
