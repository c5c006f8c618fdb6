package gradus.llm;

import gradus.io.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufSummaryTest {
    @TempDir
    Path dir;

    @Test
    void summarizesMetadataTensorsAndTheLlamaConfiguration() throws Exception {
        Path file = dir.resolve("m.gguf");
        new RandomLlama(32, 1, 2, 1, 64, 260, 16, 10000f).write(file, GgmlType.Q8_0, 1);
        String text = GgufSummary.describe(file);
        for (String expected : new String[] {"GGUF v3", "general.architecture = \"llama\"", "tokenizer.ggml.tokens = [260 × STRING]",
                "tensors F32      3, 96 elements", "tensors Q8_0     9,", "llama: LlamaConfig[family=LLAMA, dim=32, layers=1, heads=2, kvHeads=1"}) {
            assertTrue(text.contains(expected), "«" + expected + "» missing from:\n" + text);
        }
    }
}
