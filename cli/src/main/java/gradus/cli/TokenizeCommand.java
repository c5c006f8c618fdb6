package gradus.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.text.ChatTemplate;
import gradus.text.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tokenize", description = "Show the token ids and tokens of a text, or of a chat rendered with the model's template.")
final class TokenizeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.gguf|TOKENIZER_DIR|tokenizer.json")
    Path source;

    static final class Input {
        @Option(names = "--text", description = "The text to tokenize.")
        String text;

        @Option(names = "--file", description = "Tokenize this file's text (UTF-8).")
        Path file;

        @Option(names = "--chat", description = "A JSON list of {\"role\", \"content\"} messages, rendered with the chat template.")
        Path chat;
    }

    @ArgGroup(multiplicity = "1")
    Input input;

    @Option(names = "--add-generation-prompt", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With --chat: end where the assistant's answer starts (default ${DEFAULT-VALUE}).")
    boolean addGenerationPrompt;

    @Option(names = "--special", description = "Add the special tokens the tokenizer adds around a text (BOS…); never for --chat.")
    boolean special;

    @Option(names = "--json", description = "Print one JSON object: text, ids, tokens.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer = LanguageModels.tokenizer(source);
        String text;
        boolean addSpecial = special;
        if (input.chat != null) {
            List<Map<String, String>> raw = new ObjectMapper().readValue(input.chat.toFile(), new TypeReference<>() {});
            List<ChatTemplate.Message> messages = new ArrayList<>();
            for (var m : raw) {
                if (m.get("role") == null || m.get("content") == null) throw new IllegalArgumentException(input.chat + ": each message needs \"role\" and \"content\"");
                messages.add(new ChatTemplate.Message(m.get("role"), m.get("content")));
            }
            text = LanguageModels.chatTemplate(source).render(messages, addGenerationPrompt);
            addSpecial = false; // the template writes BOS itself
        } else {
            text = input.text != null ? input.text : Files.readString(input.file, StandardCharsets.UTF_8);
        }
        int[] ids = tokenizer.encode(text, addSpecial).ids();
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) tokens.add(tokenizer.idToToken(id));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("text", text);
            o.put("ids", ids);
            o.put("tokens", tokens);
            out.println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }
        if (input.chat != null) out.println("prompt: " + text);
        out.println(ids.length + " tokens");
        out.println("ids: " + java.util.Arrays.toString(ids));
        out.println("tokens: " + new ObjectMapper().writeValueAsString(tokens));
        return 0;
    }
}
