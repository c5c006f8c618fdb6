import gradus.data.IdxData;
import gradus.data.IdxReader;
import gradus.data.IdxWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Makes data/fashion-mnist-sample: the first 2,000 training and first 500 test examples of
 * Fashion-MNIST as gzipped IDX files with the official names. Not part of the build; run from the
 * repo root after compiling core:
 *   ./mvnw -q -o compile -pl core
 *   java -cp core/target/classes tools/MakeFashionMnistSample.java /usr/share/datasets/fashion-mnist data/fashion-mnist-sample
 */
public class MakeFashionMnistSample {
    public static void main(String[] args) throws Exception {
        Path from = Path.of(args[0]), to = Path.of(args[1]);
        Files.createDirectories(to);
        take(from, to, "train", 2000);
        take(from, to, "t10k", 500);
    }

    static void take(Path from, Path to, String prefix, int n) {
        IdxData images = IdxReader.read(from.resolve(prefix + "-images-idx3-ubyte.gz"));
        IdxData labels = IdxReader.read(from.resolve(prefix + "-labels-idx1-ubyte.gz"));
        int[] shape = images.shape();
        int pixels = shape[1] * shape[2];
        IdxWriter.write(to.resolve(prefix + "-images-idx3-ubyte.gz"),
                IdxData.unsignedBytes(Arrays.copyOf(images.data(), n * pixels), n, shape[1], shape[2]), true);
        IdxWriter.write(to.resolve(prefix + "-labels-idx1-ubyte.gz"),
                IdxData.unsignedBytes(Arrays.copyOf(labels.data(), n), n), true);
        int[] counts = new int[10];
        for (int i = 0; i < n; i++) counts[labels.data()[i]]++;
        System.out.println(prefix + ": " + n + " examples, class counts " + Arrays.toString(counts));
    }
}
