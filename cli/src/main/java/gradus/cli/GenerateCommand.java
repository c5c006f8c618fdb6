package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.io.ModelDirectory;
import gradus.llm.LanguageModel;
import gradus.models.GenerationConfig;
import gradus.models.Gpt;
import gradus.models.TextGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "generate", description = "Generate text with a saved language model (GPT), a GGUF file or a Hugging Face folder (Llama, Mistral, Qwen2/3, GPT-2).")
final class GenerateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR|MODEL.gguf|HF_FOLDER")
    Path modelDir;

    @Option(names = "--prompt", required = true, description = "The text to continue.")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "200", description = "New tokens at most (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens (0 = all).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling: the smallest set with probability ≥ p (1 = all).")
    float topP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", description = "> 1 discourages tokens already present (1 = off).")
    float repetitionPenalty;

    @Option(names = "--stop", description = "Stop when this text appears (repeatable); it is not printed.")
    List<String> stop = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Seed for sampling, so runs reproduce.")
    long seed;

    @Option(names = "--greedy", description = "Always take the most likely token.")
    boolean greedy;

    @Option(names = "--no-cache", description = "Recompute the whole context every step instead of using the KV cache.")
    boolean noCache;

    @Option(names = "--stream", description = "Print tokens as they are generated.")
    boolean stream;

    @Option(names = "--json", description = "Print one JSON object: prompt, text, token counts, finish_reason.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (LanguageModel.isLanguageModel(modelDir)) return generateLanguageModel();
        var loaded = ModelDirectory.load(modelDir);
        if (!(loaded.model() instanceof Gpt gpt)) {
            throw new IllegalArgumentException(modelDir + " holds a " + loaded.model().getClass().getSimpleName() + ", not a language model (Gpt)");
        }
        TextGenerator generator = new TextGenerator(gpt, ModelDirectory.tokenizer(modelDir));
        int context = gpt.gptConfig().contextLength();
        int promptTokens = generator.encode(prompt).length;
        if (promptTokens > context) {
            System.err.printf("warning: the prompt has %d tokens, more than the context of %d; only the last %d are used%n",
                    promptTokens, context, context);
        }
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(maxTokens).greedy(greedy || temperature == 0f)
                .temperature(temperature == 0f ? 1f : temperature).topK(topK).topP(topP).repetitionPenalty(repetitionPenalty)
                .stopSequences(stop).seed(seed).useCache(!noCache).build();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        boolean live = stream && !json;
        if (live) out.print(prompt);
        var result = generator.generate(prompt, config, piece -> {
            if (live) out.print(piece);
        });
        if (result.unknownPromptTokens() > 0) {
            System.err.printf("warning: %d prompt character(s) are not in the model's vocabulary and were read as unknown%n",
                    result.unknownPromptTokens());
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("prompt", prompt);
            o.put("text", result.text());
            o.put("prompt_tokens", result.promptTokens());
            o.put("completion_tokens", result.completionTokens());
            o.put("finish_reason", result.finishReason());
            out.println(new ObjectMapper().writeValueAsString(o));
        } else if (live) {
            out.println();
        } else {
            out.println(prompt + result.text());
        }
        return 0;
    }

    /** A GGUF file or Hugging Face folder: the prompt with BOS (as the model asks), sampled with the options; --no-cache does not apply. */
    private int generateLanguageModel() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LanguageModel model = LanguageModel.open(modelDir)) {
            int[] ids = model.tokenizer().encode(prompt, true).ids();
            if (ids.length == 0) throw new IllegalArgumentException("the prompt is empty and " + modelDir + " adds no start token: give some text");
            if (ids.length >= model.contextLength()) {
                throw new IllegalArgumentException("the prompt has " + ids.length + " tokens; the context of " + modelDir + " holds " + model.contextLength());
            }
            var config = LanguageModels.sampling(maxTokens, temperature, topK, topP, repetitionPenalty, seed, greedy).toBuilder().stopSequences(stop).build();
            boolean live = stream && !json;
            if (live) out.print(prompt);
            var done = model.generate(ids, config, piece -> {
                if (live) {
                    out.print(piece);
                    out.flush();
                }
            });
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("prompt", prompt);
                o.put("text", done.text());
                o.put("prompt_tokens", done.promptTokens());
                o.put("completion_tokens", done.completionTokens());
                o.put("finish_reason", done.finishReason());
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                out.println(live ? "" : prompt + done.text());
                LanguageModels.printTimings(System.err, ids.length, done.promptNanos(), done.completionTokens(), done.generationNanos());
            }
        }
        return 0;
    }
}
