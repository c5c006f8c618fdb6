package gradus.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CsvDatasetTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void stringLabelsBecomeSortedClasses() throws IOException {
        Path f = csv("width,height,kind\n1,2,dog\n3,4.5,cat\n-5e-1,6,dog\n");
        TensorDataset d = CsvDataset.load(f, CsvOptions.classification("kind"));
        assertArrayEquals(new int[]{3, 2}, d.x().shape());
        assertArrayEquals(new float[]{1, 2, 3, 4.5f, -0.5f, 6}, d.x().toArray());
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertArrayEquals(new int[]{1, 0, 1}, d.labels().data());
        assertEquals(List.of("width", "height"), d.featureNames());
    }

    @Test
    void integerLabelsAreClassIndices() throws IOException {
        Path f = csv("label,a,b\n2,1,1\n0,2,2\n2,3,3\n");
        TensorDataset d = CsvDataset.load(f, CsvOptions.classification("label"));
        assertArrayEquals(new int[]{2, 0, 2}, d.labels().data());
        assertEquals(List.of("0", "1", "2"), d.classNames());
        assertEquals(List.of("a", "b"), d.featureNames());
        assertArrayEquals(new float[]{1, 1, 2, 2, 3, 3}, d.x().toArray());
    }

    @Test
    void fixedClassNamesMapLabelsAlikeAcrossFiles() throws IOException {
        Path f = csv("x,y\n1,dog\n2,dog\n");
        CsvOptions opts = CsvOptions.classification("y").withClassNames(List.of("cat", "dog", "eel"));
        assertArrayEquals(new int[]{1, 1}, CsvDataset.load(f, opts).labels().data());
        Path g = csv("x,y\n1,fox\n");
        DataException e = assertThrows(DataException.class, () -> CsvDataset.load(g, opts));
        assertEquals(g + ":2: column 2 ('y'): label 'fox' is not one of the classes [cat, dog, eel]", e.getMessage());
    }

    @Test
    void regressionTargetsAreFloatColumns() throws IOException {
        Path f = csv("a,price,b\r\n1,10.5,2\r\n3,20.25,4\r\n\r\n");
        TensorDataset d = CsvDataset.load(f, CsvOptions.regression("price"));
        assertArrayEquals(new int[]{2, 1}, d.targets().shape());
        assertArrayEquals(new float[]{10.5f, 20.25f}, d.targets().toArray());
        assertArrayEquals(new float[]{1, 2, 3, 4}, d.x().toArray());
        assertNull(d.labels());
    }

    @Test
    void defaultsUseTheLastColumnAndInferTheTask() throws IOException {
        // A fractional last column is a regression target; whole numbers are class labels.
        TensorDataset regression = CsvDataset.load(csv("a,b,y\n1,2,0.5\n3,4,7\n"), CsvOptions.defaults());
        assertArrayEquals(new float[]{0.5f, 7f}, regression.targets().toArray());
        assertArrayEquals(new float[]{1, 2, 3, 4}, regression.x().toArray());
        assertNull(regression.labels());
        TensorDataset classes = CsvDataset.load(csv("a,b,y\n1,2,1\n3,4,0\n"), CsvOptions.defaults());
        assertArrayEquals(new int[]{1, 0}, new int[]{classes.labels().get(0), classes.labels().get(1)});
        assertArrayEquals(new float[]{1, 2, 3, 4}, classes.x().toArray());
        assertNull(classes.targets());
        assertEquals(List.of("no", "yes"), CsvDataset.load(csv("a,y\n1,yes\n3,no\n"), CsvOptions.defaults()).classNames());
    }

    @Test
    void quotedFieldsAndSelectedFeatures() throws IOException {
        Path f = csv("\"a, first\",b,c,label\n\"1\",2,3,\"big, \"\"red\"\"\"\n4,5,6,small\n");
        CsvOptions opts = CsvOptions.classification("label").withFeatures(List.of("c", "a, first"));
        TensorDataset d = CsvDataset.load(f, opts);
        assertArrayEquals(new float[]{3, 1, 6, 4}, d.x().toArray());
        assertEquals(List.of("big, \"red\"", "small"), d.classNames());
        TensorDataset semi = CsvDataset.load(csv("a;b\n1;2\n"), CsvOptions.regression("b").withDelimiter(';'));
        assertArrayEquals(new float[]{2}, semi.targets().toArray());
    }

    @Test
    void nonNumericCellsNameFileLineAndColumn() throws IOException {
        Path f = csv("a,b,y\n1,2,3\n4,abc,5\n");
        DataException e = assertThrows(DataException.class, () -> CsvDataset.load(f, CsvOptions.regression("y")));
        assertEquals(f + ":3: column 2 ('b'): 'abc' is not a number", e.getMessage());
        Path empty = csv("a,b,y\n1,,3\n");
        assertEquals(empty + ":2: column 2 ('b'): empty value, expected a number",
                assertThrows(DataException.class, () -> CsvDataset.load(empty, CsvOptions.regression("y"))).getMessage());
        Path nan = csv("a,y\nNaN,3\n");
        assertTrue(assertThrows(DataException.class, () -> CsvDataset.load(nan, CsvOptions.regression("y"))).getMessage()
                .contains("'NaN' is not a finite number"));
        Path badTarget = csv("a,y\n1,3\n2,n/a\n");
        assertEquals(badTarget + ":3: column 2 ('y'): 'n/a' is not a number",
                assertThrows(DataException.class, () -> CsvDataset.load(badTarget, CsvOptions.regression("y"))).getMessage());
    }

    @Test
    void raggedRowsAndUnknownColumnsAreErrors() throws IOException {
        Path f = csv("a,b,y\n1,2,3\n\n4,5\n");
        assertEquals(f + ":4: row has 2 values, the header has 3",
                assertThrows(DataException.class, () -> CsvDataset.load(f, CsvOptions.regression("y"))).getMessage());
        Path g = csv("a,b,y\n1,2,3\n");
        assertEquals(g + ":1: no column 'price' in the header [a, b, y]",
                assertThrows(DataException.class, () -> CsvDataset.load(g, CsvOptions.regression("price"))).getMessage());
        Path h = csv("a,b,y\n");
        assertTrue(assertThrows(DataException.class, () -> CsvDataset.load(h, CsvOptions.regression("y"))).getMessage().contains("no data rows"));
        Path quote = csv("a,y\n\"1,2\n");
        assertTrue(assertThrows(DataException.class, () -> CsvDataset.load(quote, CsvOptions.defaults())).getMessage()
                .contains(":2: quoted field is not closed"));
        Path missing = dir.resolve("nope.csv");
        assertEquals(missing + ": no such file", assertThrows(DataException.class, () -> CsvDataset.load(missing, CsvOptions.defaults())).getMessage());
    }
}
