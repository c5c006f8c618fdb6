package gradus.data.datasets;

import gradus.data.DataException;
import gradus.data.TensorDataset;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FashionMnistTest {
    private static final Path DEBIAN = Path.of(FashionMnist.SYSTEM_DIR);

    @TempDir
    Path dir;

    private static int[] classCounts(TensorDataset d) {
        int[] counts = new int[10];
        for (int y : d.labels().data()) counts[y]++;
        return counts;
    }

    private static void assertImages(TensorDataset d, int n) {
        assertEquals(n, d.size());
        assertArrayEquals(new int[]{n, 1, 28, 28}, d.x().shape());
        assertArrayEquals(new int[]{n}, d.labels().shape());
        assertEquals(0f, d.x().min().item());
        assertEquals(1f, d.x().max().item());
        assertEquals(FashionMnist.CLASS_NAMES, d.classNames());
        for (int y : d.labels().data()) assertTrue(y >= 0 && y < 10, "label " + y);
    }

    @Test
    void loadsTheShippedSample() {
        TensorDataset train = FashionMnist.sample("train");
        assertImages(train, 2000);
        assertArrayEquals(new int[]{194, 216, 202, 195, 186, 200, 194, 215, 198, 200}, classCounts(train));
        TensorDataset test = FashionMnist.sample("test");
        assertImages(test, 500);
        assertArrayEquals(new int[]{55, 52, 65, 46, 57, 39, 47, 47, 44, 48}, classCounts(test));
        // Fashion-MNIST's first training image is an ankle boot, its first test image too.
        assertEquals(9, train.labels().data()[0]);
        assertEquals(9, test.labels().data()[0]);
        assertEquals("Ankle boot", train.classNames().get(9));
        // Pixels are bytes scaled by 1/255.
        for (float v : Arrays.copyOf(train.x().data(), 784)) assertEquals(Math.round(v * 255) / 255f, v, 1e-7f);
    }

    @Test
    void loadsTheFullSetFromTheDebianPackage() {
        Assumptions.assumeTrue(Files.isDirectory(DEBIAN),
                "skipped: " + DEBIAN + " is absent (apt-get install dataset-fashion-mnist to run this test)");
        FashionMnist.Sources local = new FashionMnist.Sources(DEBIAN, dir.resolve("cache"), List.of());
        TensorDataset test = FashionMnist.load(null, "test", local);
        assertImages(test, 10_000);
        int[] thousand = new int[10];
        Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, classCounts(test));
        TensorDataset train = FashionMnist.load(null, "train", local);
        assertEquals(60_000, train.size());
        int[] sixThousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        assertArrayEquals(sixThousand, classCounts(train));
        // The shipped sample is exactly the first 2,000 training examples.
        TensorDataset sample = FashionMnist.sample("train");
        assertArrayEquals(sample.x().data(), Arrays.copyOf(train.x().data(), 2000 * 784));
        assertArrayEquals(sample.labels().data(), Arrays.copyOf(train.labels().data(), 2000));
    }

    @Test
    void downloadsAndVerifiesTheOfficialFiles() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DEBIAN),
                "skipped: " + DEBIAN + " is absent (needed to rebuild the official files offline)");
        Map<String, byte[]> official = Map.of(
                "t10k-images-idx3-ubyte.gz", official("t10k-images-idx3-ubyte"),
                "t10k-labels-idx1-ubyte.gz", official("t10k-labels-idx1-ubyte"));
        try (LocalServer server = new LocalServer(official)) {
            Path cache = dir.resolve("cache");
            // The first mirror refuses connections; the second serves the files.
            FashionMnist.Sources sources = new FashionMnist.Sources(dir.resolve("no-system-copy"), cache,
                    List.of(URI.create("http://127.0.0.1:1/"), server.base()));
            TensorDataset test = FashionMnist.load(null, "test", sources);
            assertEquals(10_000, test.size());
            assertArrayEquals(official.get("t10k-labels-idx1-ubyte.gz"), Files.readAllBytes(cache.resolve("t10k-labels-idx1-ubyte.gz")));
        }
    }

    /**
     * The official gzip file, rebuilt from Debian's copy: Debian dropped the file name (and changed
     * the time stamp) in the gzip header; the compressed data is identical. The rebuilt files have the
     * MD5s published by Zalando Research, so this also checks the SHA-256 values in FashionMnist.
     */
    private static byte[] official(String name) throws IOException {
        byte[] debian = Files.readAllBytes(DEBIAN.resolve(name + ".gz"));
        byte[] fileName = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(debian.length + fileName.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[]{0x1F, (byte) 0x8B, 8, 8}).putInt(1504176627).put(new byte[]{0, 3}).put(fileName);
        out.put(debian, 10, debian.length - 10);
        return out.array();
    }

    @Test
    void missingDataSaysWhereItLookedAndHowToGetIt() {
        // (a data directory the user names is the only place looked at: GivenDataDirectoryTest)
        FashionMnist.Sources sources = new FashionMnist.Sources(dir.resolve("system"), dir.resolve("cache"), List.of(URI.create("http://127.0.0.1:1/")));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(null, "train", sources));
        String m = e.getMessage();
        for (String expected : List.of(dir.resolve("system").toString(), dir.resolve("cache") + " (download cache)",
                "train-images-idx3-ubyte", "downloading failed", "127.0.0.1:1", "apt-get install dataset-fashion-mnist", "--data-dir",
                "fashion-mnist-sample:train")) {
            assertTrue(m.contains(expected), "message lacks '" + expected + "': " + m);
        }
        FashionMnist.Sources offline = new FashionMnist.Sources(dir.resolve("system"), dir.resolve("cache"), List.of());
        assertTrue(assertThrows(DataException.class, () -> FashionMnist.load(null, "test", offline)).getMessage().contains("downloading is off"));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(null, "validation", offline));
    }

    @Test
    void prefersTheGivenDirectoryAndReportsItsProblems() throws IOException {
        Path sample = DataHome.find(FashionMnist.SAMPLE_DIR);
        Path mine = Files.createDirectories(dir.resolve("mine"));
        for (String f : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) Files.copy(sample.resolve(f), mine.resolve(f));
        FashionMnist.Sources nowhere = new FashionMnist.Sources(dir.resolve("system"), dir.resolve("cache"), List.of());
        assertEquals(500, FashionMnist.load(mine, "test", nowhere).size());

        byte[] labels = Files.readAllBytes(mine.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.write(mine.resolve("t10k-labels-idx1-ubyte.gz"), Arrays.copyOf(labels, labels.length - 20));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(mine, "test", nowhere));
        assertTrue(e.getMessage().startsWith(mine.resolve("t10k-labels-idx1-ubyte.gz") + ": truncated"), e.getMessage());

        Files.copy(sample.resolve("train-labels-idx1-ubyte.gz"), mine.resolve("t10k-labels-idx1-ubyte.gz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(assertThrows(DataException.class, () -> FashionMnist.load(mine, "test", nowhere)).getMessage()
                .contains("has 2000 labels but"));
    }

    @Test
    void dataHomeHonoursTheGradusHomeProperty() {
        String old = System.getProperty(DataHome.PROPERTY);
        try {
            System.setProperty(DataHome.PROPERTY, dir.toString());
            assertEquals(dir.toAbsolutePath().normalize(), DataHome.roots().getFirst());
            assertTrue(DataHome.describe("data/x").startsWith("looked for data/x under " + dir.toAbsolutePath().normalize()));
            System.clearProperty(DataHome.PROPERTY);
            assertEquals(Path.of("").toAbsolutePath().normalize(), DataHome.roots().getFirst());
            assertTrue(DataHome.describe("data/x").contains("-Dgradus.home=DIR"));
        } finally {
            if (old == null) System.clearProperty(DataHome.PROPERTY);
            else System.setProperty(DataHome.PROPERTY, old);
        }
    }

    @Test
    void pixelValuesAreScaledBytes() throws IOException {
        // The file's bytes read here without IdxReader: a 16-byte header, then one unsigned byte per pixel.
        byte[] raw;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(
                Path.of("..", FashionMnist.SAMPLE_DIR, "t10k-images-idx3-ubyte.gz")))) {
            raw = in.readAllBytes();
        }
        Tensor x = FashionMnist.sample("test").x();
        float[] pixels = x.toArray();
        assertEquals(raw.length - 16, pixels.length);
        for (int i = 0; i < pixels.length; i++) {
            float expected = (raw[16 + i] & 0xff) / 255f; // within one ulp: the reader multiplies by 1/255
            assertEquals(expected, pixels[i], Math.ulp(expected), "pixel " + i);
        }
    }
}
