package gradus.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** API keys and roles, admin load/unload, the per-key rate limit. */
class SecurityTest {
    @TempDir
    static Path models;
    static GradusServer server;
    static String base;
    static final String INFER = "Bearer reader-key", ADMIN = "Bearer admin-key", LIMITED = "Bearer slow-key";

    @BeforeAll
    static void start() throws Exception {
        Fixtures.save(models, "tiny", "1", 1);
        ApiKeys keys = ApiKeys.parse("# keys\nreader-key:infer\nadmin-key:admin\n");
        server = new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0).withApiKeys(keys)
                .withLimits(1 << 20, Duration.ofSeconds(10), 0, 64).withReloadInterval(Duration.ZERO).withAccessLog(false)).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void keysAndRoles() throws Exception {
        assertEquals(200, get(base + "/v2/health/ready").statusCode(), "probes need no key");
        var none = get(base + "/v2/models/tiny");
        assertEquals(401, none.statusCode());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
        assertTrue(json(none.body()).get("error").toString().contains("missing API key"));
        assertEquals(401, get(base + "/v2/models/tiny", "Authorization", "Bearer wrong").statusCode());
        assertEquals(200, get(base + "/v2/models/tiny", "Authorization", INFER).statusCode());
        var v1 = get(base + "/v1/models");
        assertEquals(401, v1.statusCode());
        assertEquals("authentication_error", ((java.util.Map<?, ?>) json(v1.body()).get("error")).get("type"), "OpenAI error body under /v1");

        var forbidden = post(base + "/v2/repository/models/tiny/unload", "", "Authorization", INFER);
        assertEquals(403, forbidden.statusCode());
        assertTrue(json(forbidden.body()).get("error").toString().contains("admin"));
        assertEquals(200, post(base + "/v2/repository/models/tiny/unload", "", "Authorization", ADMIN).statusCode());
        assertEquals(404, get(base + "/v2/models/tiny", "Authorization", ADMIN).statusCode());
        assertTrue(post(base + "/v2/repository/index", "", "Authorization", ADMIN).body().contains("UNLOADED"));
        assertEquals(200, post(base + "/v2/repository/models/tiny/load", "", "Authorization", ADMIN).statusCode());
        assertEquals(200, get(base + "/v2/models/tiny/ready", "Authorization", INFER).statusCode());
        assertEquals(404, post(base + "/v2/repository/models/..%2Fetc/load", "", "Authorization", ADMIN).statusCode());
    }

    @Test
    void rateLimitPerKey() throws Exception {
        ApiKeys keys = ApiKeys.parse("slow-key:infer other-key:infer");
        try (GradusServer limited = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withApiKeys(keys)
                .withLimits(1 << 20, Duration.ofSeconds(10), 1, 64).withAccessLog(false)).start()) {
            String url = "http://127.0.0.1:" + limited.port() + "/v1/models";
            int refused = 0;
            for (int i = 0; i < 10; i++) {
                var r = get(url, "Authorization", LIMITED);
                if (r.statusCode() == 429) {
                    refused++;
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                    assertEquals("rate_limit_error", ((java.util.Map<?, ?>) json(r.body()).get("error")).get("type"));
                }
            }
            assertTrue(refused >= 3, "1 request per second: most of 10 quick requests are refused, got " + refused);
            assertEquals(200, get(url, "Authorization", "Bearer other-key").statusCode(), "other keys are not affected");
        }
    }

    @Test
    void keyFileErrorsNameTheProblem() {
        var e = assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse("secret-key:root"));
        assertTrue(e.getMessage().contains("unknown role 'root'"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-key"), "the key itself is not echoed");
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse("nokey"));
    }
}
