package gradus.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** Very wide CSV files: memory follows the file, column lookup is linear (issue 13, item 15). */
class CsvWideTest {
    @TempDir
    Path dir;

    /** A header {@code c0,c1,…} of {@code columns} names and {@code rows} rows of ones (the last column the label 0). */
    private Path wide(int columns, int rows) throws IOException {
        Path f = dir.resolve("wide-" + columns + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(f)) {
            for (int c = 0; c < columns; c++) w.append(c == 0 ? "" : ",").append("c").append(Integer.toString(c, 36));
            for (int r = 0; r < rows; r++) {
                w.newLine();
                for (int c = 0; c < columns - 1; c++) w.append("1,");
                w.append("0");
            }
            w.newLine();
        }
        return f;
    }

    @Test
    void twoMillionColumnsLoadWithoutNegativeArraySizes() throws IOException {
        Path f = wide(2_200_000, 1);
        // Before the fix: quadratic column lookup (hours), then new float[1024 × columns] overflowed.
        TensorDataset d = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> CsvDataset.load(f, CsvOptions.defaults()));
        assertEquals(1, d.size());
        assertArrayEquals(new int[]{1, 2_199_999}, d.x().shape());
    }

    @Test
    void explicitFeatureListsOfManyColumnsKeepTheirOrder() throws IOException {
        int columns = 100_000;
        Path f = wide(columns, 2);
        java.util.List<String> features = new java.util.ArrayList<>();
        for (int c = columns - 2; c >= 0; c--) features.add("c" + Integer.toString(c, 36));
        CsvOptions options = CsvOptions.classification("c" + Integer.toString(columns - 1, 36)).withFeatures(features);
        TensorDataset d = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> CsvDataset.load(f, options));
        assertArrayEquals(new int[]{2, columns - 1}, d.x().shape());
        assertEquals("c" + Integer.toString(columns - 2, 36), d.featureNames().get(0));
    }

    @Test
    void aDuplicateColumnNameIsAnErrorNamingBothColumns() throws IOException {
        Path f = dir.resolve("dup.csv");
        Files.writeString(f, "a,b,a,y\n1,2,3,0\n");
        DataException e = assertThrows(DataException.class, () -> CsvDataset.load(f, CsvOptions.defaults()));
        assertEquals(f + ":1: column 'a' appears twice in the header (columns 1 and 3)", e.getMessage());
    }

    @Test
    void anUnknownColumnOfAWideHeaderIsReportedShortly() throws IOException {
        Path f = wide(1000, 1);
        DataException e = assertThrows(DataException.class, () -> CsvDataset.load(f, CsvOptions.regression("price")));
        assertTrue(e.getMessage().startsWith(f + ":1: no column 'price' in the header [c0, c1,")
                && e.getMessage().endsWith(", … (1000 columns)]") && e.getMessage().length() < 400, e.getMessage());
    }
}
