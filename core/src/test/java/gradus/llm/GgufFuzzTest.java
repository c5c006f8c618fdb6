package gradus.llm;

import gradus.fuzz.Fuzzer;
import gradus.files.FileFormatException;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufArray;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufValueType;
import gradus.io.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link GgufFile#open} and, when a mutant still parses as a Llama model, {@link Llama#open} and two
 * forward steps: only {@link FileFormatException}s, no Error, and at most 8 bytes allocated per input byte plus
 * 32 MiB (metadata arrays widen 4-byte integers to longs; the model copies only its norm vectors).
 */
class GgufFuzzTest {
    @TempDir
    Path dir;

    @Test
    void ggufFilesFailOnlyWithClearErrorsAndBoundedAllocation() throws Exception {
        Path file = dir.resolve("input.gguf");
        Path model = dir.resolve("model.gguf");
        new RandomLlama(32, 1, 2, 1, 64, 260, 16, 10000f).write(model, GgmlType.Q8_0, 1);
        AtomicInteger valid = new AtomicInteger(), models = new AtomicInteger();
        Fuzzer fuzzer = Fuzzer.of("gguf", bytes -> {
            Files.write(file, bytes);
            try (GgufFile gguf = GgufFile.open(file)) {
                gguf.metadata().size();
                valid.incrementAndGet();
            }
            try (Llama llama = Llama.open(file)) {
                Llama.Session s = llama.newSession(Math.min(2, llama.config().contextLength()));
                for (int i = 0; i < s.capacity(); i++) llama.forward(s, i % llama.config().vocab());
                models.incrementAndGet();
            }
        }).expect(FileFormatException.class).allocationLimit(8, 32L << 20).iterations(2000)
                .dictionary("GGUF", "general.alignment", "general.architecture", "llama", "llama.block_count",
                        "token_embd.weight", "tokenizer.ggml.tokens");
        fuzzer.seed(Files.readAllBytes(model));
        fuzzer.seed(new GgufWriter().putUint32("general.alignment", 64).putString("s", "x")
                .putArray("a", new GgufArray(GgufValueType.ARRAY, new GgufArray[] {new GgufArray(GgufValueType.INT8, new long[] {1, 2})}))
                .addTensor("w", GgmlType.Q4_0, new long[] {32, 2}, new float[64])
                .addTensor("v", GgmlType.BF16, new long[] {3}, new float[] {1, 2, 3}).toBytes());
        fuzzer.run();
        assertTrue(valid.get() >= 20 && models.get() >= 2, "only " + valid.get() + " valid files and " + models.get()
                + " runnable models: the campaign tests little");
    }
}
