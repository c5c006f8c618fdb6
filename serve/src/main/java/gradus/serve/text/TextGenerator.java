package gradus.serve.text;

import java.util.List;
import java.util.function.Consumer;

/**
 * A text-generation model as the OpenAI endpoints see it. Implementations wrap a language model
 * and its tokenizer; they must be safe to call from several threads.
 */
public interface TextGenerator {
    /**
     * Continues {@code prompt}, calling {@code onText} with each new piece of text as soon as it is
     * decoded (the streaming endpoints forward each piece as one chunk), and returns the whole result.
     */
    Generation generate(String prompt, GenerationParams params, Consumer<String> onText);

    /** Turns chat messages into the prompt this model was trained on. The default is a plain transcript. */
    default String chatPrompt(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) sb.append(m.role()).append(": ").append(m.content()).append('\n');
        return sb.append("assistant:").toString();
    }

    /** Tokens in a text, for usage counts. */
    int countTokens(String text);

    /** A prompt that was checked (tokenized, within the context) and is ready to generate from. */
    interface Prompt {
        Generation generate(GenerationParams params, Consumer<String> onText);
    }

    /**
     * A completion prompt, checked before any generation: a bad one (longer than the context) fails here, while the
     * endpoint can still answer with an error status instead of a stream.
     */
    default Prompt prompt(String text) {
        return (params, onText) -> generate(text, params, onText);
    }

    /** A chat, rendered and checked as {@link #prompt} is. */
    default Prompt chat(List<ChatMessage> messages) {
        return prompt(chatPrompt(messages));
    }
}
