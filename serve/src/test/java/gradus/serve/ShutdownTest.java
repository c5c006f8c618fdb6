package gradus.serve;

import gradus.nn.Module;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Graceful shutdown finishes requests in flight; the per-request timeout answers 503. */
class ShutdownTest {
    /** Passes its input through after waiting on a latch, so a request can be held in flight. */
    static final class Slow extends Module {
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile long sleepMs;

        @Override
        public Tensor forward(Tensor input) {
            entered.countDown();
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return input;
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("type", "Slow");
        }
    }

    static final String BODY = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";

    @Test
    void inFlightRequestsFinishDuringShutdown() throws Exception {
        Slow slow = new Slow();
        GradusServer server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false)).start();
        server.models().put(ServedModel.of("slow", "1", slow, Map.of("input_shape", List.of(2)), 8, Duration.ZERO));
        String base = "http://127.0.0.1:" + server.port();
        slow.sleepMs = 800;
        slow.entered = new CountDownLatch(1); // the dry run at load counted the first one down
        var pending = CompletableFuture.supplyAsync(() -> {
            try {
                return post(base + "/v2/models/slow/infer", BODY);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        slow.entered.await();
        long t0 = System.nanoTime();
        server.stop(Duration.ofSeconds(5));
        var res = pending.get();
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.body().contains("[1.0,2.0]"), res.body());
        assertTrue((System.nanoTime() - t0) / 1e6 < 4000, "stopped once the request finished");
    }

    @Test
    void aRequestQueuedLongerThanTheTimeoutGets503() throws Exception {
        Slow slow = new Slow();
        try (GradusServer server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withAccessLog(false)
                .withLimits(1 << 20, Duration.ofMillis(100), 0, 64)).start()) {
            server.models().put(ServedModel.of("slow", "1", slow, Map.of("input_shape", List.of(2)), 8, Duration.ZERO));
            String url = "http://127.0.0.1:" + server.port() + "/v2/models/slow/infer";
            slow.sleepMs = 600;
            slow.entered = new CountDownLatch(1); // the dry run at load counted the first one down
            var first = CompletableFuture.supplyAsync(() -> {
                try {
                    return post(url, BODY);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            slow.entered.await(); // the first request's pass is running
            var second = post(url, BODY);
            assertEquals(503, second.statusCode(), second.body());
            assertTrue(json(second.body()).get("error").toString().contains("100 ms"), second.body());
            assertEquals(200, first.get().statusCode(), "a pass that has started runs to its end");
            slow.sleepMs = 0;
        }
    }
}
