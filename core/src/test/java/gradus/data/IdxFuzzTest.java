package gradus.data;

import gradus.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.zip.GZIPInputStream;

/**
 * Fuzzes {@link IdxReader} (raw and gzip IDX): only {@link DataException}s, no Error, and at most
 * 64 bytes allocated per input byte plus 32 MiB (the fixed stream buffers; a gzip stream may inflate).
 */
class IdxFuzzTest {
    @TempDir
    Path dir;

    @Test
    void idxFilesFailOnlyWithClearErrorsAndBoundedAllocation() throws IOException {
        Path file = dir.resolve("input-idx");
        AtomicInteger valid = new AtomicInteger();
        Fuzzer fuzzer = Fuzzer.of("idx", bytes -> {
            Files.write(file, bytes);
            IdxReader.read(file).toFloats(1f);
            valid.incrementAndGet();
        }).expect(DataException.class).allocationLimit(64, 32L << 20).iterations(3000);
        byte[] pixels = new byte[2 * 3 * 4];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 11);
        for (boolean gzip : new boolean[]{false, true}) {
            IdxWriter.write(file, IdxData.unsignedBytes(pixels, 2, 3, 4), gzip);
            fuzzer.seed(Files.readAllBytes(file));
            IdxWriter.write(file, new IdxData(IdxType.FLOAT, new int[]{2}, new byte[8]), gzip);
            fuzzer.seed(Files.readAllBytes(file));
        }
        // The first bytes of the real sample: its header and first rows, cut (so also a truncated file).
        Path sample = Path.of("..", "data", "fashion-mnist-sample");
        for (String name : new String[]{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(sample.resolve(name)))) {
                fuzzer.seed(in.readNBytes(512));
            }
        }
        fuzzer.run();
        assertTrue(valid.get() >= 3, "only " + valid.get() + " inputs were valid: the campaign tests nothing");
    }
}
