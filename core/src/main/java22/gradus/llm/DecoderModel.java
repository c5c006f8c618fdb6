package gradus.llm;

import gradus.io.gguf.GgufFile;

import java.io.IOException;
import java.nio.file.Path;

/** A decoder-only transformer read from a GGUF file: one token per {@link #forward}, a KV cache per {@link Sequence}. */
public interface DecoderModel extends AutoCloseable {
    /** One sequence: its position and its preallocated cache. */
    interface Sequence {
        int position();

        int capacity();
    }

    GgufFile gguf();

    int vocab();

    int contextLength();

    /** A new sequence with room for {@code capacity} tokens (at most the context length). */
    Sequence newSequence(int capacity);

    /** Appends {@code token} at the sequence's next position and returns the logits for the position after it. */
    float[] forward(Sequence sequence, int token);

    @Override
    void close();

    /** The architecture {@code general.architecture} names: llama or gpt2. */
    static DecoderModel open(Path file) throws IOException {
        String arch;
        try (GgufFile gguf = GgufFile.open(file)) {
            arch = gguf.getString("general.architecture");
        }
        return switch (arch) {
            case "gpt2" -> Gpt2.open(file);
            default -> Llama.open(file); // Llama names what it does not support
        };
    }
}
