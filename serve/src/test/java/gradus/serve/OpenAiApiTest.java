package gradus.serve;

import gradus.serve.text.TextModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The OpenAI-compatible endpoints, as raw HTTP: the exact fields and stream framing clients depend on. */
@SuppressWarnings("unchecked")
class OpenAiApiTest {
    static GradusServer server;
    static String base;

    @BeforeAll
    static void start() {
        TextModels text = new TextModels().generator("echo", new FakeTextModels.Echo()).embedder("shape", new FakeTextModels.Shape())
                .generator("broken", new FakeTextModels.Echo() {
                    @Override
                    public gradus.serve.text.Generation generate(String prompt, gradus.serve.text.GenerationParams params,
                                                                 java.util.function.Consumer<String> onText) {
                        onText.accept("partial");
                        throw new IllegalStateException("the model broke");
                    }
                });
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withLimits(1 << 20, Duration.ofSeconds(10), 0, 50)
                .withAccessLog(false), text).start();
        base = "http://127.0.0.1:" + server.port() + "/v1";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void modelsAndCompletions() throws Exception {
        var models = json(get(base + "/models").body());
        assertEquals("list", models.get("object"));
        assertEquals(List.of("broken", "echo", "shape"), ((List<Map<String, Object>>) models.get("data")).stream().map(m -> m.get("id")).toList());

        var res = json(post(base + "/completions", "{\"model\":\"echo\",\"prompt\":\"hello world\",\"max_tokens\":3}").body());
        assertEquals("text_completion", res.get("object"));
        assertTrue(res.get("id").toString().startsWith("cmpl-"));
        var choice = ((List<Map<String, Object>>) res.get("choices")).getFirst();
        assertEquals("you said hello", choice.get("text"));
        assertEquals("length", choice.get("finish_reason"));
        assertEquals(Map.of("prompt_tokens", 2, "completion_tokens", 3, "total_tokens", 5), res.get("usage"));
    }

    @Test
    void chatCompletionHasExactlyOneChoiceWithAMessage() throws Exception {
        String body = "{\"model\":\"echo\",\"stream\":false,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi there\"}]}]}";
        var res = post(base + "/chat/completions", body);
        assertEquals(200, res.statusCode(), res.body());
        var out = json(res.body());
        assertEquals("chat.completion", out.get("object"));
        var choices = (List<Map<String, Object>>) out.get("choices");
        assertEquals(1, choices.size());
        assertEquals(Map.of("role", "assistant", "content", "you said hi there"), choices.getFirst().get("message"));
        assertEquals("stop", choices.getFirst().get("finish_reason"));
        assertInstanceOf(Number.class, out.get("created"));
    }

    @Test
    void streamingChatSendsChunksUsageAndDoneThenCloses() throws Exception {
        String body = "{\"model\":\"echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}";
        var res = post(base + "/chat/completions", body); // returns only once the server has closed the body
        assertEquals(200, res.statusCode());
        assertEquals("text/event-stream", res.headers().firstValue("Content-Type").orElse(""));
        String[] events = res.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1].strip());
        List<Map<String, Object>> chunks = new ArrayList<>();
        for (int i = 0; i < events.length - 1; i++) {
            assertTrue(events[i].startsWith("data: "), events[i]);
            chunks.add(json(events[i].substring(6)));
        }
        assertEquals(Map.of("role", "assistant", "content", ""), choice(chunks.getFirst()).get("delta"));
        StringBuilder text = new StringBuilder();
        for (var c : chunks.subList(1, chunks.size() - 2)) {
            assertEquals("chat.completion.chunk", c.get("object"));
            text.append(((Map<String, Object>) choice(c).get("delta")).get("content"));
        }
        assertEquals("you said one two three", text.toString());
        assertEquals("stop", choice(chunks.get(chunks.size() - 2)).get("finish_reason"));
        var usage = chunks.getLast();
        assertEquals(List.of(), usage.get("choices"));
        assertEquals(5, ((Map<String, Object>) usage.get("usage")).get("completion_tokens"));
        // a stream without include_usage has no usage chunk
        var plain = post(base + "/completions", "{\"model\":\"echo\",\"prompt\":\"x\",\"stream\":true}").body();
        assertFalse(plain.contains("\"usage\""));
        assertTrue(plain.strip().endsWith("data: [DONE]"));
        // a model failing mid-stream: an error event, then [DONE], and the server lives on
        var broken = post(base + "/completions", "{\"model\":\"broken\",\"prompt\":\"x\",\"stream\":true}").body();
        // the model's own message stays in the server log; the client gets an id to quote
        assertTrue(broken.contains("\"internal error (request id ") && !broken.contains("the model broke"), broken);
        assertTrue(broken.strip().endsWith("data: [DONE]"), broken);
        assertEquals(500, post(base + "/completions", "{\"model\":\"broken\",\"prompt\":\"x\"}").statusCode());
    }

    @Test
    void embeddingsKeepInputOrder() throws Exception {
        var one = json(post(base + "/embeddings", "{\"model\":\"shape\",\"input\":\"abc\"}").body());
        assertEquals(List.of(3.0, 1.0, 97.0, 99.0), ((List<Map<String, Object>>) one.get("data")).getFirst().get("embedding"));
        var many = json(post(base + "/embeddings", "{\"model\":\"shape\",\"input\":[\"zz top\",\"a\",\"bb\"]}").body());
        var data = (List<Map<String, Object>>) many.get("data");
        assertEquals(List.of(0, 1, 2), data.stream().map(d -> d.get("index")).toList());
        assertEquals(List.of(6.0, 1.0, 2.0), data.stream().map(d -> ((List<Number>) d.get("embedding")).getFirst().doubleValue()).toList());
        assertEquals(4, ((Map<String, Object>) many.get("usage")).get("prompt_tokens"));
        var b64 = json(post(base + "/embeddings", "{\"model\":\"shape\",\"input\":\"abc\",\"encoding_format\":\"base64\"}").body());
        byte[] raw = java.util.Base64.getDecoder().decode((String) ((List<Map<String, Object>>) b64.get("data")).getFirst().get("embedding"));
        assertEquals(3f, java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0));
    }

    @Test
    void errorsUseTheOpenAiBody() throws Exception {
        var unknown = post(base + "/chat/completions", "{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, unknown.statusCode());
        var error = (Map<String, Object>) json(unknown.body()).get("error");
        assertEquals("not_found_error", error.get("type"));
        assertEquals(404, error.get("code"));
        assertTrue(error.get("message").toString().contains("gpt-9"));

        var tooMany = post(base + "/completions", "{\"model\":\"echo\",\"prompt\":\"x\",\"max_tokens\":51}");
        assertEquals(400, tooMany.statusCode());
        assertTrue(tooMany.body().contains("limit of 50"), tooMany.body());
        assertEquals(400, post(base + "/completions", "{\"model\":\"echo\",\"prompt\":\"x\",\"n\":2}").statusCode());
        assertEquals(400, post(base + "/chat/completions", "{\"model\":\"echo\",\"messages\":[]}").statusCode());
        assertEquals(400, post(base + "/embeddings", "{\"model\":\"shape\",\"input\":[1,2]}").statusCode());
        var malformed = post(base + "/chat/completions", "{\"model\":");
        assertEquals(400, malformed.statusCode());
        assertEquals("invalid_request_error", ((Map<String, Object>) json(malformed.body()).get("error")).get("type"));
        assertEquals(404, post(base + "/embeddings", "{\"model\":\"echo\",\"input\":\"x\"}").statusCode(), "a generator is no embedder");
    }

    @Test
    void responsesStreamNamedEventsWithoutDoneAndRefuseNonTextInput() throws Exception {
        var res = post(base + "/responses", "{\"model\":\"echo\",\"stream\":true,\"input\":[{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"a b\"}]}]}");
        assertEquals("text/event-stream", res.headers().firstValue("Content-Type").orElse(""));
        String[] events = res.body().strip().split("\n\n");
        for (int i = 0; i < events.length; i++) {
            String[] lines = events[i].split("\n");
            var data = json(lines[1].substring("data: ".length()));
            assertEquals("event: " + data.get("type"), lines[0], "the event line names the data's type");
            assertEquals(i, data.get("sequence_number"));
        }
        assertTrue(events[events.length - 1].startsWith("event: response.completed\n"), "the stream ends with response.completed, no [DONE]");
        var done = (Map<String, Object>) json(events[events.length - 1].split("\n")[1].substring(6)).get("response");
        assertEquals("you said a b", done.get("output_text"));

        var broken = post(base + "/responses", "{\"model\":\"broken\",\"stream\":true,\"input\":\"x\"}").body().strip().split("\n\n");
        String last = broken[broken.length - 1];
        assertTrue(last.startsWith("event: response.failed\n"), last);
        var error = (Map<String, Object>) ((Map<String, Object>) json(last.split("\n")[1].substring(6)).get("response")).get("error");
        assertEquals("server_error", error.get("code"));
        assertTrue(error.get("message").toString().startsWith("internal error (request id "), error.toString());

        var image = post(base + "/responses", "{\"model\":\"echo\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\","
                + "\"image_url\":\"http://x/y.png\"}]}]}");
        assertEquals(400, image.statusCode());
        assertTrue(image.body().contains("only text content") && image.body().contains("'input_image'"), image.body());
        var call = post(base + "/responses", "{\"model\":\"echo\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\"1\"}]}");
        assertEquals(400, call.statusCode());
        assertTrue(call.body().contains("'function_call_output' are not supported"), call.body());
    }

    @Test
    void unknownModelsAndEndpointsGetOpenAiErrors() throws Exception {
        assertEquals(Map.of("id", "shape", "object", "model", "owned_by", "gradus"),
                json(get(base + "/models/shape").body()).entrySet().stream().filter(e -> !e.getKey().equals("created"))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        var model = get(base + "/models/gpt-9");
        assertEquals(404, model.statusCode());
        assertEquals("not_found_error", ((Map<String, Object>) json(model.body()).get("error")).get("type"));
        var images = post(base + "/images/generations", "{\"prompt\":\"a cat\"}");
        assertEquals(404, images.statusCode());
        String message = (String) ((Map<String, Object>) json(images.body()).get("error")).get("message");
        assertTrue(message.startsWith("POST /v1/images/generations is not an endpoint of this server; it serves GET /v1/models,"), message);
        assertTrue(message.contains("POST /v1/responses"), message);
    }

    private static Map<String, Object> choice(Map<String, Object> chunk) {
        return ((List<Map<String, Object>>) chunk.get("choices")).getFirst();
    }
}
