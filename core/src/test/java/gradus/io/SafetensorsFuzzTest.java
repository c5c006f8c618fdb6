package gradus.io;

import gradus.files.FileFormatException;
import gradus.fuzz.Fuzzer;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes {@link Safetensors#read}: only {@link FileFormatException}s, no Error, and at most 16 bytes
 * allocated per input byte plus 32 MiB (tensor data at most doubles from F16/BF16 to float; each header
 * entry costs about 8 times its JSON, see SafetensorsHeaderTest).
 */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    @Test
    void safetensorsFilesFailOnlyWithClearErrorsAndBoundedAllocation() throws IOException {
        Path file = dir.resolve("input.safetensors");
        AtomicInteger valid = new AtomicInteger();
        Fuzzer fuzzer = Fuzzer.of("safetensors", bytes -> {
            Files.write(file, bytes);
            Safetensors.read(file, true);
            Safetensors.read(file);
            valid.incrementAndGet();
        }).expect(FileFormatException.class).allocationLimit(16, 32L << 20).iterations(3000)
                .dictionary("dtype", "shape", "data_offsets", "__metadata__", "F32", "F16", "BF16", "F64", "I64", "I32", "U8");
        Map<String, Tensor> floats = new LinkedHashMap<>();
        floats.put("w", Tensor.of(new float[]{1, -2, 3.5f, 0, 5, 6}, 2, 3));
        floats.put("b", Tensor.of(new float[]{0.25f}, 1));
        floats.put("s", Tensor.scalar(7));
        fuzzer.seed(written(floats, Map.of("ids", IntTensor.of(new int[]{3, 1, 4})), Map.of("format", "gradus", "epoch", "3")));
        fuzzer.seed(written(Map.of(), Map.of(), Map.of()));
        for (String resource : new String[]{"/gradus/io/python-written.safetensors", "/golden/lstm_classifier.safetensors"}) {
            try (InputStream in = getClass().getResourceAsStream(resource)) {
                byte[] all = in.readAllBytes();
                if (all.length <= 1 << 16) fuzzer.seed(all);
            }
        }
        fuzzer.run();
        assertTrue(valid.get() >= 3, "only " + valid.get() + " inputs were valid: the campaign tests nothing");
    }

    private static byte[] written(Map<String, Tensor> floats, Map<String, IntTensor> ints, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, floats, ints, metadata);
        return out.toByteArray();
    }
}
