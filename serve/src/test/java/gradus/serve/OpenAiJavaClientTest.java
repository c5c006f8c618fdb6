package gradus.serve;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.embeddings.Embedding;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import gradus.models.Bert;
import gradus.models.BertConfig;
import gradus.models.SentenceEmbedder;
import gradus.serve.text.SavedTextModels;
import gradus.serve.text.TextModels;
import gradus.text.WordTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** OpenAI's official Java SDK against the server: models, embeddings of token ids, the Responses API plain and streamed. */
class OpenAiJavaClientTest {
    @TempDir
    static Path dir;
    static GradusServer server;
    static OpenAIClient client;
    static SentenceEmbedder encoder;

    @BeforeAll
    static void start() throws Exception {
        var words = WordTokenizer.train(List.of("the whale swam", "call me ishmael", "the sea"), 50);
        encoder = new SentenceEmbedder(new Bert(BertConfig.of(words.vocabSize(), 8, 1, 2, 16).withDropout(0f)), words);
        encoder.save(dir.resolve("tiny-encoder"));
        TextModels text = SavedTextModels.load(dir, new TextModels()).generator("echo", new FakeTextModels.Echo());
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false), text).start();
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        server.close();
    }

    @Test
    void retrievesAModelAndReportsAnUnknownOne() {
        var model = client.models().retrieve("echo");
        assertEquals("echo", model.id());
        assertEquals("gradus", model.ownedBy());
        var missing = assertThrows(NotFoundException.class, () -> client.models().retrieve("gpt-9"));
        assertEquals(404, missing.statusCode());
        assertTrue(missing.getMessage().contains("'gpt-9' does not exist"), missing.getMessage());
    }

    @Test
    void embedsTokenIdsAsTheTextTheyEncode() {
        int[] ids = encoder.tokenizer().encode("call me ishmael", true).ids();
        float[][] expected = encoder.embed(List.of("call me ishmael", "the sea"));
        var one = client.embeddings().create(EmbeddingCreateParams.builder().model("tiny-encoder").inputOfArrayOfTokens(longs(ids)).build());
        assertVector(expected[0], one.data().getFirst());
        assertEquals(ids.length, one.usage().promptTokens());

        int[] sea = encoder.tokenizer().encode("the sea", true).ids();
        var two = client.embeddings().create(EmbeddingCreateParams.builder().model("tiny-encoder")
                .inputOfArrayOfTokenArrays(List.of(longs(ids), longs(sea))).build());
        assertEquals(List.of(0L, 1L), two.data().stream().map(Embedding::index).toList());
        assertVector(expected[0], two.data().get(0));
        assertVector(expected[1], two.data().get(1));

        var outside = assertThrows(BadRequestException.class, () -> client.embeddings().create(EmbeddingCreateParams.builder()
                .model("tiny-encoder").inputOfArrayOfTokens(List.of(1L, 99_999L)).build()));
        assertTrue(outside.getMessage().contains("token id 99999") && outside.getMessage().contains("outside the vocabulary"), outside.getMessage());
        var textOnly = assertThrows(BadRequestException.class, () -> client.embeddings().create(EmbeddingCreateParams.builder()
                .model("tiny-encoder").inputOfArrayOfTokenArrays(List.of(List.of(1L), List.of())).build()));
        assertTrue(textOnly.getMessage().contains("empty"), textOnly.getMessage());
    }

    @Test
    void respondsToTextAndToMessages() {
        Response plain = client.responses().create(ResponseCreateParams.builder().model("echo").input("the quick fox").build());
        assertEquals("you said the quick fox", outputText(plain));
        assertEquals(ResponseStatus.COMPLETED, plain.status().orElseThrow());
        assertEquals(5, plain.usage().orElseThrow().outputTokens());
        assertEquals(5, plain.usage().orElseThrow().inputTokens(), "the chat prompt: user: the quick fox assistant:");
        assertTrue(plain.id().startsWith("resp_"));

        List<ResponseInputItem> messages = List.of(
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER).content("hello").build()),
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.ASSISTANT).content("hi").build()),
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER).content("tell me more").build()));
        Response chat = client.responses().create(ResponseCreateParams.builder().model("echo").instructions("be brief")
                .inputOfResponse(messages).build());
        assertEquals("you said tell me more", outputText(chat));
        assertEquals("be brief", chat.instructions().orElseThrow().string().orElseThrow());

        Response cut = client.responses().create(ResponseCreateParams.builder().model("echo").input("one two three").maxOutputTokens(2L).build());
        assertEquals("you said", outputText(cut));
        assertEquals(ResponseStatus.INCOMPLETE, cut.status().orElseThrow());
    }

    @Test
    void streamsTheSpecsEventsInOrder() {
        List<String> types = new ArrayList<>();
        StringBuilder deltas = new StringBuilder();
        Response[] completed = new Response[1];
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                ResponseCreateParams.builder().model("echo").input("stream this please").build())) {
            stream.stream().forEach(e -> {
                e.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
                e.completed().ifPresent(c -> completed[0] = c.response());
                types.add(type(e));
            });
        }
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"),
                types.subList(0, 4));
        assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"),
                types.subList(types.size() - 4, types.size()));
        assertEquals(5, types.stream().filter("response.output_text.delta"::equals).count(), "one delta per word: " + types);
        assertEquals("you said stream this please", deltas.toString());
        assertEquals("you said stream this please", outputText(completed[0]));
    }

    @Test
    void refusesWhatItCannotDoByName() {
        var tools = assertThrows(BadRequestException.class, () -> client.responses().create(ResponseCreateParams.builder().model("echo")
                .input("x").addTool(FunctionTool.builder().name("f").parameters(FunctionTool.Parameters.builder().build()).strict(false).build())
                .build()));
        assertTrue(tools.getMessage().contains("tools are not supported"), tools.getMessage());
        var chained = assertThrows(BadRequestException.class, () -> client.responses().create(ResponseCreateParams.builder().model("echo")
                .input("x").previousResponseId("resp_1").build()));
        assertTrue(chained.getMessage().contains("previous_response_id"), chained.getMessage());
        var stored = assertThrows(NotFoundException.class, () -> client.responses().retrieve("resp_1"));
        assertTrue(stored.getMessage().contains("GET /v1/responses/resp_1 is not an endpoint") && stored.getMessage().contains("POST /v1/responses"),
                stored.getMessage());
        var embedder = assertThrows(NotFoundException.class, () -> client.responses().create(ResponseCreateParams.builder()
                .model("tiny-encoder").input("x").build()));
        assertTrue(embedder.getMessage().contains("text generation"), embedder.getMessage());
    }

    private static String type(ResponseStreamEvent e) {
        if (e.isCreated()) return "response.created";
        if (e.isInProgress()) return "response.in_progress";
        if (e.isOutputItemAdded()) return "response.output_item.added";
        if (e.isContentPartAdded()) return "response.content_part.added";
        if (e.isOutputTextDelta()) return "response.output_text.delta";
        if (e.isOutputTextDone()) return "response.output_text.done";
        if (e.isContentPartDone()) return "response.content_part.done";
        if (e.isOutputItemDone()) return "response.output_item.done";
        if (e.isCompleted()) return "response.completed";
        return "unexpected " + e;
    }

    private static String outputText(Response r) {
        StringBuilder sb = new StringBuilder();
        r.output().forEach(item -> item.message().ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> sb.append(t.text())))));
        return sb.toString();
    }

    private static List<Long> longs(int[] ids) {
        return Arrays.stream(ids).mapToObj(i -> (long) i).toList();
    }

    private static void assertVector(float[] expected, Embedding actual) {
        List<Float> v = actual.embedding();
        assertEquals(expected.length, v.size());
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], v.get(i), 1e-6f);
    }
}
