package gradus.llm;

import gradus.models.GenerationConfig;
import gradus.text.ChatTemplate;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.IntPredicate;

/**
 * A decoder-only language model with its tokenizer and chat template, as the CLI uses it. Opened from a GGUF file
 * ({@link #open}); the implementation is compiled for Java 22 (the FFM mapping), this interface for 21.
 */
public interface LanguageModel extends AutoCloseable {
    Tokenizer tokenizer();

    /** The model's chat template, or null when it has none. */
    ChatTemplate chatTemplate();

    int contextLength();

    /** The tokens that end a turn (EOS, end-of-turn): generation stops there, without emitting them. */
    int[] stopTokens();

    /** What {@link #complete} did: the new tokens, why it stopped ("stop", "length"), and the time spent. */
    record Completion(int[] tokens, String finishReason, long promptNanos, long generationNanos) {}

    /**
     * Feeds {@code prompt} (token ids, BOS included if wanted) and generates up to {@code config.maxNewTokens()}
     * tokens, stopping at a stop token or when {@code onToken} returns false.
     */
    Completion complete(int[] prompt, GenerationConfig config, IntPredicate onToken);

    @Override
    void close();

    /** A GGUF file, or a Hugging Face folder (config.json, safetensors, tokenizer.json). */
    static LanguageModel open(Path file) throws IOException {
        if (java.nio.file.Files.isDirectory(file)) return Gguf.call("gradus.llm.GgufLanguageModel", "openFolder", file, LanguageModel.class);
        return Gguf.call("gradus.llm.GgufLanguageModel", "open", file, LanguageModel.class);
    }
}
