package gradus.llm;

import com.fasterxml.jackson.databind.JsonNode;
import gradus.io.gguf.GgmlType;
import gradus.models.GenerationConfig;
import gradus.text.ChatTemplate;
import gradus.text.NodeReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text in, tokens out, by Gradus and by llama.cpp on the same GGUF file: a small random F32 Llama carrying a real
 * vocabulary (Llama 3's byte-level BPE, Mistral's SentencePiece) and Llama 3's chat template. The prompt — a plain
 * text and a chat rendered through the template — must tokenize to the same ids (BOS included), and greedy decoding
 * must give the same 32 tokens (up to the first end-of-turn token, where Gradus stops).
 */
class GenerationVsLlamaCppTest {
    private static final int STEPS = 32;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama2"})
    void promptTokensAndGreedyGenerationMatchLlamaCpp(String name) throws Exception {
        Path tools = NodeReference.tools("llama-cpp", "node-llama-cpp");
        RealVocabulary vocabulary = RealVocabulary.read(name);
        String template;
        try (var in = getClass().getResourceAsStream("/text/chat-templates/" + name + ".jinja")) {
            template = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Path file = dir.resolve(name + ".gguf");
        vocabulary.writeModel(file, GgmlType.F32, 7, w -> w.putString("tokenizer.chat_template", template));
        try (GgufLanguageModel model = GgufLanguageModel.open(file)) {
            ChatTemplate chat = model.chatTemplate();
            assertNotNull(chat, "tokenizer.chat_template");
            String rendered = chat.render(List.of(new ChatTemplate.Message("system", "Answer briefly."),
                    new ChatTemplate.Message("user", "Call me Ishmael. 鯨 🐋 — how   long\tis a whale?")), true);
            // A rendered chat starts with BOS as text and is tokenized with no BOS added (as transformers does);
            // llama.cpp is given the text after it and prepends BOS itself.
            String bos = model.tokenizer().idToToken(model.tokenizer().bosId());
            assertTrue(rendered.startsWith(bos), rendered);
            for (String prompt : new String[] {"Call me Ishmael. Some years ago—never mind how long precisely", rendered}) {
                boolean chatPrompt = prompt == rendered;
                JsonNode reference = NodeReference.run(tools, "generate.mjs", file, chatPrompt ? prompt.substring(bos.length()) : prompt, STEPS, 2);
                int[] expectedPrompt = NodeReference.ints(reference.get("prompt"));
                int[] prompted = model.tokenizer().encode(prompt, !chatPrompt).ids();
                assertArrayEquals(expectedPrompt, prompted, name + (chatPrompt ? " chat" : " text") + " prompt ids");
                int[] expected = NodeReference.ints(reference.get("tokens"));
                var completion = model.complete(prompted, GenerationConfig.builder().greedy(true).maxNewTokens(STEPS).build(), t -> true);
                List<Integer> stops = Arrays.stream(model.stopTokens()).boxed().toList();
                int stop = 0;
                while (stop < expected.length && !stops.contains(expected[stop])) stop++;
                assertArrayEquals(Arrays.copyOf(expected, stop), completion.tokens(), name + " greedy tokens");
                assertTrue(completion.tokens().length >= 8, "too few tokens compared: " + completion.tokens().length);
            }
        }
    }
}
