package gradus.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.models.GenerationConfig;
import gradus.text.ChatTemplate;
import gradus.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * A decoder-only language model with its tokenizer and chat template, as the CLI uses it. Opened from a GGUF file
 * ({@link #open}) or a Hugging Face folder; the implementation is compiled for Java 22 (the FFM mapping), this interface for 21.
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

    /** What {@link #generate} did: the text (cut before a stop sequence), token counts, why it stopped, the time spent. */
    record TextCompletion(String text, int promptTokens, int completionTokens, String finishReason, long promptNanos,
                          long generationNanos) {}

    /**
     * {@link #complete} with the new tokens as text: each piece goes to {@code onText} as soon as it is final, and
     * generation stops ("stop") once the text holds one of {@code config.stopSequences()}, which is not included.
     */
    default TextCompletion generate(int[] prompt, GenerationConfig config, Consumer<String> onText) {
        StreamedText text = new StreamedText(tokenizer(), prompt, config.stopSequences(), onText);
        Completion done = complete(prompt, config, text::add);
        text.finish();
        return new TextCompletion(text.text(), prompt.length, done.tokens().length,
                text.stopped() ? "stop" : done.finishReason(), done.promptNanos(), done.generationNanos());
    }

    @Override
    void close();

    /** A GGUF file, or a Hugging Face folder (config.json, safetensors, tokenizer.json). */
    static LanguageModel open(Path file) throws IOException {
        if (Files.isDirectory(file)) return Gguf.call("gradus.llm.GgufLanguageModel", "openFolder", file, LanguageModel.class);
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString());
        return Gguf.call("gradus.llm.GgufLanguageModel", "open", file, LanguageModel.class);
    }

    /**
     * Whether {@link #open} is the way to read {@code path}: a {@code .gguf} file (existing or not), or a Hugging Face folder (its
     * config.json names a {@code model_type}; a Gradus model directory's names its {@code format} instead).
     */
    static boolean isLanguageModel(Path path) {
        Path name = path.getFileName();
        if (name != null && name.toString().endsWith(".gguf") && !Files.isDirectory(path)) return true; // missing: open names it
        Path config = path.resolve("config.json");
        if (!Files.isDirectory(path) || !Files.isRegularFile(config)) return false;
        try {
            JsonNode json = new ObjectMapper().readTree(config.toFile());
            return json != null && json.isObject() && json.has("model_type") && !json.has("format");
        } catch (IOException e) {
            return false; // not JSON: whoever reads it next names the problem
        }
    }
}
