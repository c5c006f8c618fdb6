package gradus.serve;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import gradus.serve.text.TextModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A real OpenAI client library (LangChain4j's OpenAI module) against the server. */
class LangChain4jClientTest {
    static GradusServer server;
    static String base;

    @BeforeAll
    static void start() {
        TextModels text = new TextModels().generator("echo", new FakeTextModels.Echo()).embedder("shape", new FakeTextModels.Shape());
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false), text).start();
        base = "http://127.0.0.1:" + server.port() + "/v1";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void chat() {
        var model = OpenAiChatModel.builder().baseUrl(base).apiKey("unused").modelName("echo").maxRetries(0).build();
        ChatResponse r = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("the quick fox")).build());
        assertEquals("you said the quick fox", r.aiMessage().text());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(5, r.tokenUsage().outputTokenCount());
    }

    @Test
    void streamingChat() throws Exception {
        var model = OpenAiStreamingChatModel.builder().baseUrl(base).apiKey("unused").modelName("echo").build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("stream this please", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                partial.append(token);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(20, TimeUnit.SECONDS); // completes only when the server closes the stream
        assertEquals("you said stream this please", partial.toString());
        assertEquals("you said stream this please", r.aiMessage().text());
        assertEquals(5, r.tokenUsage().outputTokenCount(), "usage from the include_usage chunk");
    }

    @Test
    void embeddings() {
        var model = OpenAiEmbeddingModel.builder().baseUrl(base).apiKey("unused").modelName("shape").maxRetries(0).build();
        List<Embedding> e = model.embedAll(List.of(TextSegment.from("hello"), TextSegment.from("hi you"))).content();
        assertEquals(2, e.size());
        assertArrayEquals(new float[]{5, 1, 'h', 'o'}, e.get(0).vector());
        assertArrayEquals(new float[]{6, 2, 'h', 'u'}, e.get(1).vector());
    }
}
