package gradus.cli;

import gradus.llm.Gguf;
import gradus.llm.LanguageModel;
import gradus.models.GenerationConfig;
import gradus.text.ChatTemplate;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the tokenize, generate and chat commands share: loading tokenizers and templates, timing lines. */
final class LanguageModels {
    private LanguageModels() {}

    /** A tokenizer from a GGUF file, a tokenizer.json, or a folder holding one. */
    static Tokenizer tokenizer(Path path) throws IOException {
        if (Gguf.isGgufFile(path)) return Gguf.tokenizer(path);
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(path + ": expected a .gguf file, a tokenizer.json or a folder with one");
        return Tokenizers.load(file);
    }

    /** The chat template of a GGUF file or a Hugging Face folder; an error when there is none. */
    static ChatTemplate chatTemplate(Path path) throws IOException {
        ChatTemplate t;
        if (Gguf.isGgufFile(path)) {
            try (LanguageModel model = LanguageModel.open(path)) {
                t = model.chatTemplate();
            }
        } else {
            t = ChatTemplate.fromTokenizerConfig(Files.isDirectory(path) ? path : path.toAbsolutePath().getParent());
        }
        if (t == null) throw new IllegalArgumentException(path + " has no chat template (tokenizer.chat_template / tokenizer_config.json chat_template)");
        return t;
    }

    static GenerationConfig sampling(int maxTokens, float temperature, int topK, float topP, float repetitionPenalty, long seed, boolean greedy) {
        return GenerationConfig.builder().maxNewTokens(maxTokens).greedy(greedy || temperature == 0f)
                .temperature(temperature == 0f ? 1f : temperature).topK(topK).topP(topP).repetitionPenalty(repetitionPenalty).seed(seed).build();
    }

    /** llama.cpp's closing lines: tokens and tokens/s of the prompt and of the generation. */
    static void printTimings(PrintStream err, long promptTokens, long promptNanos, long generatedTokens, long generationNanos) {
        err.printf("prompt: %d tokens, %.1f tok/s; generation: %d tokens, %.1f tok/s%n", promptTokens,
                perSecond(promptTokens, promptNanos), generatedTokens, perSecond(generatedTokens, generationNanos));
    }

    private static double perSecond(long tokens, long nanos) {
        return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
    }
}
