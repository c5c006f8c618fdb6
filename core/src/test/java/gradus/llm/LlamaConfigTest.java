package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufFile;
import gradus.io.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LlamaConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheLlamaKeysOfARandomModel() throws IOException {
        Path file = dir.resolve("m.gguf");
        RandomLlama.small().write(file, GgmlType.Q4_0, 1);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(new LlamaConfig(LlamaConfig.Family.LLAMA, 256, 4, 8, 4, 32, 768, 1024, 512, 32, 10000f, 1f, 1e-5f, 0, false), LlamaConfig.of(gguf));
        }
    }

    @Test
    void unknownArchitecturesAndUnsupportedOptionsFailNamingThem() throws IOException {
        assertRefused(w -> w.putString("general.architecture", "mamba"), "general.architecture: mamba is not supported");
        assertRefused(w -> w.putUint32("llama.expert_count", 8), "llama.expert_count: mixture of experts is not supported");
        assertRefused(w -> w.putString("llama.rope.scaling.type", "yarn"), "llama.rope.scaling.type: yarn is not supported");
        assertRefused(w -> w.putUint32("llama.attention.logit_softcapping", 30), "llama.attention.logit_softcapping: this option is not supported");
        assertRefused(w -> w.putUint32("llama.attention.value_length", 64), "llama.attention.value_length: a value head size other than");
        assertRefused(w -> w.putUint32("llama.attention.head_count_kv", 3), "llama.attention.head_count: 8 heads must divide");
        assertRefused(w -> w.putUint32("llama.block_count", 1 << 30), "llama.block_count: 1073741824 layers need");
    }

    @Test
    void aMissingOrMisshapenTensorIsNamed() throws IOException {
        Path file = dir.resolve("m.gguf");
        RandomLlama.small().write(file, GgmlType.F32, 1);
        byte[] bytes = Files.readAllBytes(file);
        String original = "blk.2.ffn_up.weight", renamed = "blk.2.ffn_uq.weight";
        Files.write(file, replace(bytes, original, renamed));
        FileFormatException e = assertThrows(FileFormatException.class, () -> Llama.open(file).close());
        assertTrue(e.getMessage().contains("tensor blk.2.ffn_up.weight: missing"), e.getMessage());
    }

    private void assertRefused(UnaryOperator<GgufWriter> change, String expected) throws IOException {
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama")
                .putUint32("llama.embedding_length", 256).putUint32("llama.block_count", 1)
                .putUint32("llama.attention.head_count", 8).putUint32("llama.feed_forward_length", 512)
                .putUint32("llama.context_length", 64).putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        change.apply(w).addTensor("token_embd.weight", GgmlType.F32, new long[] {256, 2}, new float[512]);
        Path file = dir.resolve("c.gguf");
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            FileFormatException e = assertThrows(FileFormatException.class, () -> LlamaConfig.of(gguf));
            assertTrue(e.getMessage().contains(expected), "expected «" + expected + "» in «" + e.getMessage() + "»");
        }
    }

    private static byte[] replace(byte[] data, String from, String to) {
        byte[] f = from.getBytes(), t = to.getBytes();
        outer:
        for (int i = 0; i + f.length <= data.length; i++) {
            for (int j = 0; j < f.length; j++) if (data[i + j] != f[j]) continue outer;
            System.arraycopy(t, 0, data, i, t.length);
            return data;
        }
        throw new AssertionError(from + " not found");
    }
}
