package gradus.data;

import gradus.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Arrays;

/**
 * Fuzzes {@link CsvDataset}: only {@link DataException}s, no Error, and at most 128 bytes allocated per
 * input byte plus 32 MiB (each cell becomes a String and a float; up to 100,001 class names may be made).
 */
class CsvFuzzTest {
    @TempDir
    Path dir;

    @Test
    void csvFilesFailOnlyWithClearErrorsAndBoundedAllocation() throws IOException {
        Path file = dir.resolve("input.csv");
        AtomicInteger valid = new AtomicInteger();
        Fuzzer fuzzer = Fuzzer.of("csv", bytes -> {
            Files.write(file, bytes);
            CsvDataset.load(file, CsvOptions.defaults());
            valid.incrementAndGet();
        }).expect(DataException.class).allocationLimit(128, 32L << 20).iterations(3000)
                .dictionary(",", "\"", "\"\"", "label", "x", "-0", "1e-3", "1e38", "1e39");
        fuzzer.seed("a,b,label\n1,2,cat\n3.5,-4,dog\n\"5\",6,cat\n");
        fuzzer.seed("x,y\n0.5,1.25\n1,2.5\n");
        fuzzer.seed("f1,f2,class\n1,2,0\n3,4,2\n\n5,6,1\r\n");
        for (String name : new String[]{"../examples/data/blobs.csv", "../examples/data/moons.csv", "../data/boston/boston.csv"}) {
            byte[] all = Files.readAllBytes(Path.of(name));
            fuzzer.seed(Arrays.copyOf(all, Math.min(all.length, 2048)));
        }
        fuzzer.run();
        assertTrue(valid.get() >= 3, "only " + valid.get() + " inputs were valid: the campaign tests nothing");
    }
}
