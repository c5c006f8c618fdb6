package gradus.serve.text;

import gradus.llm.LanguageModel;
import gradus.models.GenerationConfig;
import gradus.serve.ApiException;
import gradus.text.ChatTemplate;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A {@link LanguageModel} (a GGUF file or a Hugging Face folder) behind the OpenAI endpoints: a chat is rendered
 * with the model's own template (BOS and turn markers written by it, so nothing is added around its text), a
 * completion prompt gets what the tokenizer adds (BOS when the model asks for it). A prompt that leaves no room in the
 * context is refused with both lengths before anything is generated. One generation runs at a time per model; a
 * client that goes away mid-stream makes the next write fail, which ends the generation.
 */
public final class LanguageModelGenerator implements TextGenerator, AutoCloseable {
    private final String name;
    private final LanguageModel model;

    public LanguageModelGenerator(String name, LanguageModel model) {
        this.name = name;
        this.model = model;
    }

    public LanguageModel model() {
        return model;
    }

    @Override
    public Generation generate(String prompt, GenerationParams params, Consumer<String> onText) {
        return prompt(prompt).generate(params, onText);
    }

    @Override
    public Prompt prompt(String text) {
        return tokens(model.tokenizer().encode(text, true).ids());
    }

    @Override
    public Prompt chat(List<ChatMessage> messages) {
        ChatTemplate template = model.chatTemplate();
        if (template == null) return prompt(chatPrompt(messages)); // no template: the plain transcript
        String rendered;
        try {
            rendered = template.render(messages.stream().map(m -> new ChatTemplate.Message(m.role(), m.content())).toList(), true);
        } catch (IllegalArgumentException e) { // raise_exception in the template: the conversation is not one it takes
            throw ApiException.badRequest("model '" + name + "': " + e.getMessage());
        }
        return tokens(model.tokenizer().encode(rendered, false).ids());
    }

    private Prompt tokens(int[] ids) {
        if (ids.length == 0) throw ApiException.badRequest("the prompt is empty and model '" + name + "' adds no start token: give some text");
        int context = model.contextLength();
        if (ids.length >= context) {
            throw ApiException.badRequest("the prompt has " + ids.length + " tokens, but the context of model '" + name + "' holds "
                    + context + " (prompt and generated tokens together)");
        }
        return (params, onText) -> {
            LanguageModel.TextCompletion done = model.generate(ids, config(params), onText);
            return new Generation(done.text(), done.promptTokens(), done.completionTokens(), done.finishReason());
        };
    }

    private static GenerationConfig config(GenerationParams params) {
        boolean greedy = params.temperature() <= 0;
        return GenerationConfig.builder().maxNewTokens(params.maxTokens()).greedy(greedy)
                .temperature(greedy ? 1f : (float) params.temperature()).topP((float) params.topP()).topK(params.topK())
                .stopSequences(params.stop() == null ? List.of() : params.stop().stream().filter(s -> !s.isEmpty()).toList())
                .seed(params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong()).build();
    }

    @Override
    public int countTokens(String text) {
        return model.tokenizer().encode(text, false).ids().length;
    }

    @Override
    public void close() {
        model.close();
    }
}
