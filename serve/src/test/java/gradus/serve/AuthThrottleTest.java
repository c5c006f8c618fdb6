package gradus.serve;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Key guessing is throttled per client address; health probes are never rate limited. */
class AuthThrottleTest {
    @Test
    void wrongKeysGet429AfterABurst() throws Exception {
        try (GradusServer s = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withReloadInterval(Duration.ZERO)
                .withApiKeys(ApiKeys.parse("right-key:infer")).withAccessLog(false)).start()) {
            String url = "http://127.0.0.1:" + s.port() + "/v1/models";
            int unauthorized = 0, throttled = 0;
            for (int i = 0; i < 60; i++) {
                var r = get(url, "Authorization", "Bearer guess-" + i);
                if (r.statusCode() == 401) unauthorized++;
                if (r.statusCode() == 429) {
                    throttled++;
                    assertTrue(r.headers().firstValue("Retry-After").isPresent());
                }
            }
            assertTrue(unauthorized <= 20, "a burst of about ten failures is answered 401, then 429; got " + unauthorized + " 401s");
            assertTrue(throttled >= 40, "guesses beyond the burst get 429, got " + throttled);
            assertEquals(429, get(url, "Authorization", "Bearer right-key").statusCode(),
                    "while throttled, no key is checked (a guess cannot be confirmed)");
            assertEquals(200, get("http://127.0.0.1:" + s.port() + "/v2/health/live").statusCode(), "probes still answer");
        }
    }

    @Test
    void healthProbesAreNotRateLimited() throws Exception {
        try (GradusServer s = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withReloadInterval(Duration.ZERO)
                .withLimits(1 << 20, Duration.ofSeconds(10), 1, 64).withAccessLog(false)).start()) {
            String base = "http://127.0.0.1:" + s.port();
            for (int i = 0; i < 50; i++) {
                assertEquals(200, get(base + "/v2/health/live").statusCode(), "probe " + i);
                assertNotEquals(429, get(base + "/v2/health/ready").statusCode(), "probe " + i);
            }
            int refused = 0;
            for (int i = 0; i < 10; i++) if (get(base + "/v2").statusCode() == 429) refused++;
            assertTrue(refused >= 5, "other endpoints stay limited to 1 per second, " + refused + " of 10 refused");
        }
    }
}
