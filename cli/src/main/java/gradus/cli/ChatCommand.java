package gradus.cli;

import gradus.llm.LanguageModel;
import gradus.text.ChatTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "chat", description = "Chat in the terminal with a GGUF file or a Hugging Face folder, through its chat template; answers stream as they are generated.")
final class ChatCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL.gguf|HF_FOLDER")
    Path modelFile;

    @Option(names = "--system", description = "A system prompt for the conversation.")
    String system;

    @Option(names = "--max-tokens", defaultValue = "256", description = "New tokens per answer at most (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Sample among the k most likely tokens, 0 = all (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Nucleus sampling threshold, 1 = off (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", description = "> 1 discourages repeated tokens (default ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for sampling, so conversations reproduce.")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LanguageModel model = LanguageModel.open(modelFile)) {
            ChatTemplate template = model.chatTemplate();
            if (template == null) {
                throw new IllegalArgumentException(modelFile + " has no chat template (tokenizer.chat_template in a GGUF file, chat_template in "
                        + "tokenizer_config.json of a folder); use gradus generate");
            }
            List<ChatTemplate.Message> messages = new ArrayList<>();
            if (system != null) messages.add(new ChatTemplate.Message("system", system));
            long promptTokens = 0, promptNanos = 0, generated = 0, generationNanos = 0;
            int turn = 0;
            System.err.println("chat with " + modelFile.getFileName() + " (an empty line or end of input quits)");
            for (String line; ; ) {
                out.print("> ");
                out.flush();
                if ((line = in.readLine()) == null || line.isBlank()) break;
                messages.add(new ChatTemplate.Message("user", line));
                // The template writes BOS and the turn markers: no special tokens are added to its text.
                int[] ids = model.tokenizer().encode(template.render(messages, true), false).ids();
                if (ids.length >= model.contextLength()) {
                    throw new IllegalArgumentException("the conversation has grown to " + ids.length + " tokens; the context of " + modelFile
                            + " holds " + model.contextLength());
                }
                var answer = model.generate(ids, LanguageModels.sampling(maxTokens, temperature, topK, topP, repetitionPenalty,
                        seed + turn++, false), piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
                messages.add(new ChatTemplate.Message("assistant", answer.text().strip())); // the space that joined it to the prompt is not its
                promptTokens += ids.length;
                promptNanos += answer.promptNanos();
                generated += answer.completionTokens();
                generationNanos += answer.generationNanos();
            }
            out.println();
            LanguageModels.printTimings(System.err, promptTokens, promptNanos, generated, generationNanos);
        }
        return 0;
    }
}
