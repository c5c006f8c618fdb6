package gradus.serve;

import gradus.config.Config;
import gradus.serve.text.SavedTextModels;
import gradus.serve.text.TextModels;
import gradus.recipe.Recipe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Real Gradus text models (a tiny character GPT and an LSTM spam classifier, trained here) served over HTTP. */
@SuppressWarnings("unchecked")
class SavedTextModelsTest {
    @TempDir
    static Path dir;
    static GradusServer server;
    static String base;
    static gradus.models.SentenceEmbedder encoder;

    @BeforeAll
    static void trainAndServe() throws Exception {
        train(Map.of("seed", 1,
                "data", Map.of("train", "moby-dick-sample:train", "tokenizer", Map.of("type", "char"), "context", 16),
                "model", Map.of("type", "Gpt", "context_length", 16, "layers", 1, "heads", 2, "width", 16),
                "training", Map.of("steps", 20, "batch_size", 8)), dir.resolve("runs/gpt"));
        java.nio.file.Files.createDirectories(dir.resolve("models/tiny-gpt"));
        copy(dir.resolve("runs/gpt/model"), dir.resolve("models/tiny-gpt/1"));
        train(Map.of("seed", 1,
                "data", Map.of("train", "spam-assassin-sample:train", "tokenizer", Map.of("type", "word", "max_vocab", 500), "max_length", 32),
                "model", Map.of("type", "LstmClassifier", "embed_dim", 8, "hidden", 8),
                "training", Map.of("epochs", 1, "batch_size", 32)), dir.resolve("runs/spam"));
        copy(dir.resolve("runs/spam/model"), dir.resolve("models/spam"));
        Fixtures.save(dir.resolve("models"), "tensor", "1", 3);
        var words = gradus.text.WordTokenizer.train(List.of("the whale swam", "call me ishmael", "the sea"), 50);
        var bert = new gradus.models.Bert(gradus.models.BertConfig.of(words.vocabSize(), 8, 1, 2, 16).withDropout(0f));
        encoder = new gradus.models.SentenceEmbedder(bert, words);
        encoder.save(dir.resolve("models/tiny-encoder"));

        TextModels text = SavedTextModels.load(dir.resolve("models"), new TextModels());
        server = new GradusServer(ServeOptions.defaults().withModelsDir(dir.resolve("models")).withAddress("127.0.0.1", 0)
                .withLimits(1 << 20, Duration.ofSeconds(30), 0, 64).withAccessLog(false), text).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void gptAnswersCompletionsAndStreams() throws Exception {
        var models = json(get(base + "/v1/models").body());
        assertTrue(((List<Map<String, Object>>) models.get("data")).stream().anyMatch(m -> m.get("id").equals("tiny-gpt")));
        String body = "{\"model\":\"tiny-gpt\",\"prompt\":\"Call me\",\"max_tokens\":12,\"temperature\":0.7,\"seed\":4}";
        var res = json(post(base + "/v1/completions", body).body());
        var choice = ((List<Map<String, Object>>) res.get("choices")).getFirst();
        assertEquals("length", choice.get("finish_reason"));
        assertEquals(Map.of("prompt_tokens", 7, "completion_tokens", 12, "total_tokens", 19), res.get("usage"));
        var again = json(post(base + "/v1/completions", body).body());
        assertEquals(choice.get("text"), ((List<Map<String, Object>>) again.get("choices")).getFirst().get("text"), "same seed, same text");

        var stream = post(base + "/v1/completions", body.replace("}", ",\"stream\":true}"));
        assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
        StringBuilder streamed = new StringBuilder();
        for (String event : stream.body().split("\n\n")) {
            if (!event.startsWith("data: {")) continue;
            var chunk = json(event.substring(6));
            for (var c : (List<Map<String, Object>>) chunk.get("choices")) if (c.get("text") != null) streamed.append(c.get("text"));
        }
        assertEquals(choice.get("text"), streamed.toString());
        assertTrue(stream.body().strip().endsWith("data: [DONE]"));

        // the Responses API runs the same generation as a chat completion of the same message
        String chat = "{\"model\":\"tiny-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Call me\"}],\"max_tokens\":8,\"seed\":4}";
        var chatReply = json(post(base + "/v1/chat/completions", chat).body());
        var response = json(post(base + "/v1/responses", "{\"model\":\"tiny-gpt\",\"input\":\"Call me\",\"max_output_tokens\":8,\"seed\":4}").body());
        assertEquals(((Map<String, Object>) ((List<Map<String, Object>>) chatReply.get("choices")).getFirst().get("message")).get("content"),
                response.get("output_text"));
        assertEquals(8, ((Map<String, Object>) response.get("usage")).get("output_tokens"));

        var empty = post(base + "/v1/completions", "{\"model\":\"tiny-gpt\",\"prompt\":\"\"}");
        assertEquals(400, empty.statusCode(), empty.body());
        assertTrue(((Map<String, Object>) json(empty.body()).get("error")).get("message").toString().contains("prompt is empty"), empty.body());
    }

    @Test
    void classifierAndTensorModelsServeSideBySide() throws Exception {
        var res = post(base + "/predict/spam", "{\"text\":\"Cheap meds!!! click here to buy now\"}");
        assertEquals(200, res.statusCode(), res.body());
        var prediction = ((List<Map<String, Object>>) json(res.body()).get("predictions")).getFirst();
        var probabilities = (Map<String, Number>) prediction.get("probabilities");
        assertEquals(java.util.Set.of("ham", "spam"), probabilities.keySet());
        assertEquals(1.0, probabilities.values().stream().mapToDouble(Number::doubleValue).sum(), 1e-5);
        assertEquals(200, get(base + "/v2/models/tensor/ready").statusCode());
        assertEquals(404, get(base + "/v2/models/spam/ready").statusCode(), "text models are not KServe tensor models");
    }

    @Test
    void encoderAnswersEmbeddingsInInputOrder() throws Exception {
        var res = post(base + "/v1/embeddings", "{\"model\":\"tiny-encoder\",\"input\":[\"the sea\",\"call me ishmael\"]}");
        assertEquals(200, res.statusCode(), res.body());
        var data = (List<Map<String, Object>>) json(res.body()).get("data");
        float[][] expected = encoder.embed(List.of("the sea", "call me ishmael"));
        for (int i = 0; i < 2; i++) {
            assertEquals(i, ((Number) data.get(i).get("index")).intValue());
            var vector = (List<Number>) data.get(i).get("embedding");
            assertEquals(expected[i].length, vector.size());
            for (int j = 0; j < vector.size(); j++) assertEquals(expected[i][j], vector.get(j).floatValue(), 1e-6f);
        }
    }

    private static void train(Map<String, Object> recipe, Path out) throws Exception {
        new Recipe(new Config("test", recipe)).run(new Recipe.Options(out, null, null, null, false, new PrintStream(new ByteArrayOutputStream())));
    }

    private static void copy(Path from, Path to) throws Exception {
        java.nio.file.Files.createDirectories(to);
        try (var files = java.nio.file.Files.list(from)) {
            for (Path f : files.toList()) java.nio.file.Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
