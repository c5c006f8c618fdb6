package gradus.data.datasets;

import gradus.data.DataException;
import gradus.data.StandardScaler;
import gradus.data.TensorDataset;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DatasetsTest {
    @TempDir
    Path dir;

    @Test
    void bostonIsSplitWithAScalerFittedOnTrainOnly() {
        TensorDataset all = Boston.load(null);
        assertArrayEquals(new int[]{506, 13}, all.x().shape());
        assertArrayEquals(new int[]{506, 1}, all.targets().shape());
        assertEquals(List.of("crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad", "tax", "ptratio", "b", "lstat"), all.featureNames());
        assertArrayEquals(new float[]{0.00632f, 18, 2.31f}, java.util.Arrays.copyOf(all.x().data(), 3));
        assertEquals(24f, all.targets().data()[0]);

        Datasets.Opened train = Datasets.open("boston:train", null);
        Datasets.Opened test = Datasets.open("boston:test", null);
        assertEquals(405, train.dataset().size());
        assertEquals(101, test.dataset().size());
        Tensor z = train.dataset().x();
        assertArrayEquals(new float[13], z.mean(0).toArray(), 1e-5f);
        float[] ones = new float[13];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, z.var(0, false, false).toArray(), 1e-4f);
        // The test part is scaled with the training statistics, so its own are not exactly 0 and 1.
        float testMeanRm = test.dataset().x().mean(0).toArray()[5];
        assertNotEquals(0f, testMeanRm, 1e-3f);
        // Same scaler for both parts, and it is the one fitted on the training rows.
        assertArrayEquals(((StandardScaler) train.scaler()).mean().toArray(), ((StandardScaler) test.scaler()).mean().toArray());
        StandardScaler refit = new StandardScaler().fit(train.scaler().inverseTransform(z));
        assertArrayEquals(((StandardScaler) train.scaler()).mean().toArray(), refit.mean().toArray(), 1e-3f);
        // Train and test are disjoint and together are all rows: compare raw targets as multisets.
        float[] targets = new float[506];
        System.arraycopy(train.dataset().targets().data(), 0, targets, 0, 405);
        System.arraycopy(test.dataset().targets().data(), 0, targets, 405, 101);
        float[] expected = all.targets().toArray();
        java.util.Arrays.sort(targets);
        java.util.Arrays.sort(expected);
        assertArrayEquals(expected, targets);
    }

    @Test
    void resolvesFashionSpecsAndCsvPaths() throws IOException {
        Datasets.Opened sample = Datasets.open("fashion-mnist-sample:test", null);
        assertEquals(500, sample.dataset().size());
        assertNull(sample.scaler());
        Path csv = dir.resolve("tiny.csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,4,y\n");
        TensorDataset d = Datasets.open(csv.toString(), null).dataset();
        assertEquals(List.of("x", "y"), d.classNames());
    }

    @Test
    void unknownSpecsListTheKnownOnes() {
        DataException e = assertThrows(DataException.class, () -> Datasets.open("cifar10:train", null));
        for (String known : Datasets.KNOWN) assertTrue(e.getMessage().contains(known), e.getMessage());
        assertTrue(assertThrows(DataException.class, () -> Datasets.open("boston", null)).getMessage().contains(":train or :test"));
        assertTrue(assertThrows(DataException.class, () -> Datasets.open("fashion-mnist:val", null)).getMessage().contains("needs a split"));
    }

    @Test
    void bostonCanComeFromTheDataDirectory() throws IOException {
        Files.writeString(dir.resolve("boston.csv"), "crim,medv\n1,2\n3,4\n5,6\n7,8\n9,10\n");
        assertEquals(5, Boston.load(dir).size());
        assertEquals(4, Datasets.open("boston:train", dir).dataset().size());
    }
}
