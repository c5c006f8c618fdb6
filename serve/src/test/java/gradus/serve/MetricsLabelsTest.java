package gradus.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Hostile model names do not become Prometheus labels: /metrics stays small. */
class MetricsLabelsTest {
    @TempDir
    static Path models;
    static GradusServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = Fixtures.serveTiny(models);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void unknownModelsShareOneLabel() throws Exception {
        post(base + "/predict/tiny", "{\"features\": [" + "0,".repeat(15) + "0]}"); // every series the test can make exists
        post(base + "/predict/nothing", "{}");
        post(base + "/v1/completions", "{\"model\":\"nothing\",\"prompt\":\"x\"}");
        post(base + "/v1/embeddings", "{\"model\":\"nothing\",\"input\":\"x\"}");
        int before = get(base + "/metrics").body().length();
        for (int i = 0; i < 30; i++) {
            String name = ("hostile" + i).repeat(300);
            assertEquals(404, post(base + "/predict/" + name, "{}").statusCode());
            assertEquals(404, post(base + "/v1/completions", "{\"model\":\"" + name + "\",\"prompt\":\"x\"}").statusCode());
            assertEquals(404, post(base + "/v1/embeddings", "{\"model\":\"" + name + "\",\"input\":\"x\"}").statusCode());
        }
        String after = get(base + "/metrics").body();
        assertFalse(after.contains("hostile"), "no hostile name in /metrics");
        assertTrue(after.contains("model=\"tiny\""), "served models keep their label");
        assertTrue(after.contains("model=\"unknown\""));
        assertTrue(after.length() < before + 4096, "/metrics grew from " + before + " to " + after.length() + " characters");
    }

    @Test
    void metricsNeedAKeyWhenKeysAreOnUnlessPublic() throws Exception {
        ApiKeys keys = ApiKeys.parse("k:infer");
        try (GradusServer closed = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withApiKeys(keys)
                .withReloadInterval(Duration.ZERO).withAccessLog(false)).start();
             GradusServer open = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withApiKeys(keys)
                     .withPublicMetrics(true).withReloadInterval(Duration.ZERO).withAccessLog(false)).start()) {
            assertEquals(401, get("http://127.0.0.1:" + closed.port() + "/metrics").statusCode());
            assertEquals(200, get("http://127.0.0.1:" + closed.port() + "/metrics", "Authorization", "Bearer k").statusCode());
            assertEquals(200, get("http://127.0.0.1:" + open.port() + "/metrics").statusCode());
        }
    }
}
