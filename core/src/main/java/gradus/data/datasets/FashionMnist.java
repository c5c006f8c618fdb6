package gradus.data.datasets;

import gradus.data.DataException;
import gradus.data.IdxData;
import gradus.data.IdxReader;
import gradus.data.IdxType;
import gradus.data.TensorDataset;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fashion-MNIST (Zalando Research, MIT license): 28x28 grey images of clothing in 10 classes,
 * 60,000 for training and 10,000 for testing. Loaded as {@code x [N, 1, 28, 28]} in [0, 1] with labels.
 * <p>{@link #load} looks in the directory the user names, then in {@value #SYSTEM_DIR} (Debian
 * package {@code dataset-fashion-mnist}), then in the download cache {@code ~/.gradus/datasets/fashion-mnist},
 * and finally downloads the files there, verified by SHA-256. Set {@code -Dgradus.offline=true} to never download.
 * {@link #sample} loads the small sample that ships in the repository's {@code data/fashion-mnist-sample}.
 */
public final class FashionMnist {
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";

    /** The sample's location relative to the Gradus directory (see {@link DataHome}). */
    public static final String SAMPLE_DIR = "data/fashion-mnist-sample";

    /** Official mirrors, tried in order. (The S3 website endpoint serves plain HTTP only; the hash protects it.) */
    public static final List<URI> MIRRORS = List.of(
            URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    /**
     * SHA-256 of the official gzip files. Debian's copies carry the same deflate streams without the
     * file name in the gzip header (so their own hashes differ): rebuilding that header gives files
     * with exactly the official MD5s and these SHA-256s. Local copies are checked by structure,
     * downloads by these hashes.
     */
    static final Map<String, String> SHA256 = Map.of(
            "train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5");

    private static final int SIDE = 28;

    private FashionMnist() {}

    /**
     * Where {@link #load} looks and from where it may download.
     *
     * @param systemDir the system-wide copy (Debian's package)
     * @param cacheDir  where downloads go
     * @param mirrors   base URLs to download from; empty to never download
     */
    public record Sources(Path systemDir, Path cacheDir, List<URI> mirrors) {
        public Sources {
            mirrors = List.copyOf(mirrors);
        }

        /** The standard locations; no mirrors when the system property {@code gradus.offline} is true. */
        public static Sources defaults() {
            return new Sources(Path.of(SYSTEM_DIR),
                    Path.of(System.getProperty("user.home"), ".gradus", "datasets", "fashion-mnist"),
                    Boolean.getBoolean("gradus.offline") ? List.of() : MIRRORS);
        }
    }

    /** The {@code "train"} or {@code "test"} split, from {@code dataDir} (may be null) or the standard locations. */
    public static TensorDataset load(Path dataDir, String split) {
        return load(dataDir, split, Sources.defaults());
    }

    public static TensorDataset load(Path dataDir, String split, Sources sources) {
        String prefix = prefix(split);
        DataHome.requireGiven(dataDir);
        if (dataDir != null) {
            if (hasSplit(dataDir, prefix)) return read(dataDir, prefix);
            throw new DataException("Fashion-MNIST " + split + " data not found in the given data directory " + dataDir
                    + ": expected " + prefix + "-images-idx3-ubyte(.gz) and " + prefix + "-labels-idx1-ubyte(.gz) there. "
                    + "To get the data: `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or download the four files from "
                    + "https://github.com/zalandoresearch/fashion-mnist into that directory; without --data-dir the standard locations are searched.");
        }
        List<String> looked = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        dirs.add(sources.systemDir());
        dirs.add(sources.cacheDir());
        for (Path dir : dirs) {
            if (hasSplit(dir, prefix)) return read(dir, prefix);
            looked.add(dir.toString() + (dir == sources.cacheDir() ? " (download cache)" : ""));
        }
        String downloadFailure = "downloading is off (-Dgradus.offline=true)";
        if (!sources.mirrors().isEmpty()) {
            try {
                download(prefix, sources);
                return read(sources.cacheDir(), prefix);
            } catch (IOException e) {
                downloadFailure = "downloading failed: " + e.getMessage();
            }
        }
        throw new DataException("Fashion-MNIST " + split + " data not found: looked for " + prefix + "-images-idx3-ubyte(.gz) and "
                + prefix + "-labels-idx1-ubyte(.gz) in " + String.join(", ", looked) + "; " + downloadFailure + ".\n"
                + "To get the data: `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or download the four files from "
                + "https://github.com/zalandoresearch/fashion-mnist into a directory and pass it with --data-dir DIR. "
                + "For a quick start without the full set, use fashion-mnist-sample:" + split + ".");
    }

    /** The small sample shipped in the repository: 2,000 training or 500 test examples. */
    public static TensorDataset sample(String split) {
        String prefix = prefix(split);
        Path dir = DataHome.find(SAMPLE_DIR);
        if (dir == null) throw new DataException("the Fashion-MNIST sample was not found: " + DataHome.describe(SAMPLE_DIR));
        return read(dir, prefix);
    }

    /** The split ({@code "train"} or {@code "test"}) from the IDX files in {@code dir}, which must hold them. */
    public static TensorDataset loadDir(Path dir, String split) {
        return read(dir, prefix(split));
    }

    private static TensorDataset read(Path dir, String prefix) {
        Path imageFile = file(dir, prefix + "-images-idx3-ubyte");
        Path labelFile = file(dir, prefix + "-labels-idx1-ubyte");
        if (imageFile == null || labelFile == null) {
            throw new DataException(dir + ": no " + prefix + "-images-idx3-ubyte(.gz) and " + prefix + "-labels-idx1-ubyte(.gz) files");
        }
        IdxData images = IdxReader.read(imageFile);
        IdxData labels = IdxReader.read(labelFile);
        int[] is = images.shape(), ls = labels.shape();
        if (images.type() != IdxType.UNSIGNED_BYTE || is.length != 3 || is[1] != SIDE || is[2] != SIDE) {
            throw new DataException(imageFile + ": expected unsigned-byte images [N, 28, 28], found " + images.type() + " " + Arrays.toString(is));
        }
        if (labels.type() != IdxType.UNSIGNED_BYTE || ls.length != 1) {
            throw new DataException(labelFile + ": expected unsigned-byte labels [N], found " + labels.type() + " " + Arrays.toString(ls));
        }
        if (ls[0] != is[0]) {
            throw new DataException(labelFile + " has " + ls[0] + " labels but " + imageFile + " has " + is[0] + " images");
        }
        int[] y = labels.toInts();
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= CLASS_NAMES.size()) throw new DataException(labelFile + ": label " + y[i] + " of example " + i + " is not in 0..9");
        }
        Tensor x = Tensor.of(images.toFloats(1f / 255f), is[0], 1, SIDE, SIDE);
        return new TensorDataset(x, IntTensor.of(y), CLASS_NAMES);
    }

    private static String prefix(String split) {
        return switch (split) {
            case "train" -> "train";
            case "test" -> "t10k";
            default -> throw new IllegalArgumentException("Fashion-MNIST split must be train or test, got '" + split + "'");
        };
    }

    private static boolean hasSplit(Path dir, String prefix) {
        return file(dir, prefix + "-images-idx3-ubyte") != null && file(dir, prefix + "-labels-idx1-ubyte") != null;
    }

    /** The gzipped or the raw file of that name in {@code dir}, or null. (The reader detects gzip by content.) */
    private static Path file(Path dir, String name) {
        for (String candidate : new String[]{name + ".gz", name}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static void download(String prefix, Sources sources) throws IOException {
        for (String kind : new String[]{"-images-idx3-ubyte.gz", "-labels-idx1-ubyte.gz"}) {
            String name = prefix + kind;
            Path target = sources.cacheDir().resolve(name);
            if (Files.isRegularFile(target)) continue;
            List<String> failures = new ArrayList<>();
            for (URI mirror : sources.mirrors()) {
                URI url = mirror.resolve(name);
                System.err.println("gradus: downloading " + url + " to " + target);
                try {
                    Download.verified(url, target, SHA256.get(name));
                    break;
                } catch (IOException e) {
                    failures.add(url + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                }
            }
            if (!Files.isRegularFile(target)) throw new IOException(String.join("; ", failures));
        }
    }
}
