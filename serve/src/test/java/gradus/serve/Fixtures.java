package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.models.TransformerClassifier;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.text.WordTokenizer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A tiny image classifier saved as a model directory, and an HTTP client for the tests. */
final class Fixtures {
    static final List<String> CLASSES = List.of("zero", "one", "two");

    private Fixtures() {}

    /** A [1,4,4] → 3-class MLP with seeded weights. */
    static Sequential tinyModel(long seed) {
        Rng.manualSeed(seed);
        Sequential m = new Sequential(new Flatten(), new Linear(16, 8), new ReLU(), new Linear(8, 3));
        m.eval();
        return m;
    }

    /** Saves {@link #tinyModel} as {@code root/name/version}. */
    static Sequential save(Path root, String name, String version, long seed) throws IOException {
        Sequential m = tinyModel(seed);
        ModelDirectory.save(root.resolve(name).resolve(version), m, Map.of("task", "classification", "input_shape", List.of(1, 4, 4),
                "class_names", CLASSES, "loss", "cross_entropy"));
        return m;
    }

    /** A server on a free loopback port serving one tiny model, {@code tiny/1}, saved under {@code models}. */
    /** A random two-layer, two-head TransformerClassifier over a small word vocabulary, saved as {@code root/name/1} with its tokenizer. */
    static Path saveTextClassifier(Path root, String name) throws IOException {
        Rng.manualSeed(5);
        WordTokenizer words = WordTokenizer.train(List.of("click here to win free money now", "notes of the meeting for the project review"), 100);
        TransformerClassifier m = new TransformerClassifier(words.vocabSize(), 16, 8, 2, 2, 0f, 2);
        Path dir = root.resolve(name).resolve("1");
        ModelDirectory.save(dir, m, Map.of("task", "classification", "class_names", List.of("ham", "spam"), "max_length", 16, "loss", "cross_entropy"));
        words.save(dir.resolve(ModelDirectory.TOKENIZER_FILE));
        return dir;
    }

    static GradusServer serveTiny(Path models) throws IOException {
        save(models, "tiny", "1", 1);
        return new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0)
                .withReloadInterval(java.time.Duration.ZERO).withAccessLog(false)).start();
    }

    static final HttpClient CLIENT = HttpClient.newHttpClient();

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (headers.length > 0) b.headers(headers);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (headers.length > 0) b.headers(headers);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> postBytes(String url, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) b.headers(headers);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String s) throws IOException {
        return Http.JSON.readValue(s, Map.class);
    }
}
