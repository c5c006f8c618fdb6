package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.nn.Module;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static gradus.serve.Fixtures.*;
import static gradus.serve.HotReloadTest.waitFor;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A model is READY only once one example has gone through it (issue 13, item 7), a load that fails in
 * any way marks that model UNAVAILABLE and nothing else (item 8), internal errors keep their details
 * in the log (item 7), and a relative repository path works for admin loads (item 10).
 */
class ModelLoadingTest {
    static final String FEATURES = "{\"features\": " + KServeApiTest.list(new float[16]) + "}";

    /** The tiny classifier with extra config entries (a scaler, say). */
    static void saveWith(Path dir, long seed, Map<String, Object> extra) throws IOException {
        Map<String, Object> config = new java.util.HashMap<>(Map.of("task", "classification", "input_shape", List.of(1, 4, 4),
                "class_names", CLASSES, "loss", "cross_entropy"));
        config.putAll(extra);
        ModelDirectory.save(dir, Fixtures.tinyModel(seed), config);
    }

    static Map<String, Object> scaler(Object mean, Object std) {
        return Map.of("preprocessing", Map.of("scaler", Map.of("type", "standard", "mean", mean, "std", std)));
    }

    static GradusServer serve(Path models, Duration reload) {
        return new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0)
                .withReloadInterval(reload).withAccessLog(false)).start();
    }

    @Test
    void aModelWhoseScalerCannotRunIsUnavailableWithItsReason(@TempDir Path models) throws Exception {
        saveWith(models.resolve("good/1"), 1, Map.of());
        saveWith(models.resolve("words/1"), 1, scaler(Collections.nCopies(16, "a"), Collections.nCopies(16, 1))); // ClassCastException at the first request
        saveWith(models.resolve("short/1"), 1, scaler(List.of(0, 0, 0), List.of(1, 1, 1))); // 3 features for 16 inputs
        saveWith(models.resolve("names/1"), 1, Map.of("class_names", List.of("cat", "dog"))); // 2 names for 3 outputs
        try (GradusServer server = serve(models, Duration.ZERO)) {
            String base = "http://127.0.0.1:" + server.port();
            assertEquals(200, post(base + "/predict/good", FEATURES).statusCode());
            String index = post(base + "/v2/repository/index", "").body();
            for (String bad : List.of("words", "short", "names")) {
                var ready = get(base + "/v2/models/" + bad + "/ready");
                assertEquals(503, ready.statusCode(), bad + " must not be READY");
                String reason = json(ready.body()).get("error").toString();
                assertTrue(reason.contains("UNAVAILABLE") && (reason.contains("dry run") || reason.contains("class_names")
                        || reason.contains("'preprocessing.scaler")), reason);
                assertFalse(reason.contains("Exception"), "no JDK exception in what a client sees: " + reason);
                assertEquals(503, get(base + "/v2/models/" + bad).statusCode(), "metadata");
                assertEquals(503, post(base + "/predict/" + bad, FEATURES).statusCode());
                assertTrue(index.contains("\"name\":\"" + bad + "\",\"version\":\"1\",\"state\":\"UNAVAILABLE\""), index);
            }
            assertFalse(index.contains("Exception"), index);
        }
    }

    @Test
    void anInputShapeThatIsNotPositiveIntegersIsNamed(@TempDir Path models) throws Exception {
        Map<String, Object> shapes = Map.of("text", List.of("a"), "nested", List.of(List.of(1)), "zero", List.of(0, 4),
                "huge", List.of(1 << 20, 1 << 20), "fraction", List.of(1.5));
        for (var e : shapes.entrySet()) saveWith(models.resolve(e.getKey() + "/1"), 1, Map.of("input_shape", e.getValue()));
        try (ModelRepository repo = new ModelRepository(models, 8, Duration.ZERO, Duration.ZERO, (m, n) -> {})) {
            for (String name : shapes.keySet()) {
                var entry = entry(repo, name, "1");
                assertEquals("UNAVAILABLE", entry.state(), name);
                assertTrue(entry.reason().contains("'input_shape") && entry.reason().contains("config.json"), entry.reason());
            }
        }
    }

    /** Fine on the dry run's zeros, broken on anything else: the kind of bug that reaches a 500. */
    static final class BrokenOnNonZero extends Module {
        @Override
        public Tensor forward(Tensor input) {
            for (float v : input.toArray()) if (v != 0) throw new ClassCastException("class java.lang.String cannot be cast to class java.lang.Number");
            return Tensor.zeros(input.size(0), 3);
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("type", "BrokenOnNonZero");
        }
    }

    @Test
    void internalErrorsAnswerWithARequestIdAndLogTheDetails(@TempDir Path models) throws Exception {
        List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(GradusServer.class.getName());
        log.addHandler(capture);
        try (GradusServer server = serve(models, Duration.ZERO)) {
            server.models().put(ServedModel.of("broken", "1", new BrokenOnNonZero(), Map.of("input_shape", List.of(2)), 8, Duration.ZERO));
            String base = "http://127.0.0.1:" + server.port();
            var res = post(base + "/v2/models/broken/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}");
            assertEquals(500, res.statusCode());
            String id = res.headers().firstValue("X-Request-Id").orElse(null);
            assertNotNull(id, "the request id is in a header");
            assertEquals("internal error (request id " + id + ")", json(res.body()).get("error"));
            assertTrue(logged.stream().anyMatch(r -> r.getMessage().contains(id) && r.getThrown() instanceof ClassCastException),
                    "the log has the id with the exception");

            var nul = post(base + "/v2/repository/models/a%00b/load", "");
            assertEquals(404, nul.statusCode(), nul.body()); // was a 500 naming java.nio.file.InvalidPathException
            assertFalse(nul.body().contains("Exception"), nul.body());
        } finally {
            log.removeHandler(capture);
        }
    }

    @Test
    void anOutOfMemoryErrorInOneLoadLeavesTheWatcherWatching(@TempDir Path models) throws Exception {
        Fixtures.save(models, "a", "1", 1);
        Fixtures.save(models, "b", "1", 2);
        // a config that asks for more memory than there is: the loader throws what the JVM would
        ModelRepository.Loader loader = (name, version, dir) -> {
            if (Files.readString(dir.resolve(ModelDirectory.CONFIG_FILE)).contains("\"huge\"")) throw new OutOfMemoryError("Java heap space");
            return ServedModel.load(name, version, dir, 8, Duration.ZERO, n -> {});
        };
        try (ModelRepository repo = new ModelRepository(models, Duration.ofMillis(50), loader)) {
            Path config = models.resolve("a/1/config.json");
            Files.writeString(config, Files.readString(config).replaceFirst("\\{", "{\"huge\": true, "));
            waitFor(() -> repo.index().stream().anyMatch(e -> e.reason().contains("out of memory")));
            assertEquals("1", repo.get("a", null).version(), "the previous load of a keeps serving");
            assertEquals("READY", entry(repo, "a", "1").state());

            Fixtures.save(models, "c", "1", 3);
            Path cConfig = models.resolve("c/1/config.json");
            Files.writeString(cConfig, Files.readString(cConfig).replaceFirst("\\{", "{\"huge\": true, "));
            Fixtures.save(models, "b", "2", 4);
            waitFor(() -> repo.versions("b").contains("2") && entry(repo, "b", "2").state().equals("READY"));
            waitFor(() -> entry(repo, "c", "1") != null && entry(repo, "c", "1").reason().contains("out of memory"));
            assertEquals("UNAVAILABLE", entry(repo, "c", "1").state(), "a model with no good load is unavailable");
            var e = assertThrows(ApiException.class, () -> repo.get("c", null));
            assertEquals(503, e.status());
            assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
        }
    }

    @Test
    void onlyErrorsOfTheJvmItselfAreRethrown() {
        assertTrue(LoadFailure.isFatal(new InternalError("broken JIT")));
        assertFalse(LoadFailure.isFatal(new OutOfMemoryError()));
        assertFalse(LoadFailure.isFatal(new StackOverflowError()));
        assertFalse(LoadFailure.isFatal(new NoClassDefFoundError()));
        assertEquals("internal error while loading (details in the server log)", LoadFailure.reason(new ClassCastException("java.lang.String")));
    }

    static ModelRepository.Entry entry(ModelRepository repo, String name, String version) {
        return repo.index().stream().filter(e -> e.name().equals(name) && e.version().equals(version)).findFirst().orElse(null);
    }

    @Test
    void aRelativeRepositoryPathWithDotSlashServesAdminLoads() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path abs = Files.createTempDirectory(target, "hot");
        try {
            Fixtures.save(abs, "tiny", "1", 1);
            Path relative = Path.of("./" + Path.of("").toAbsolutePath().relativize(abs)); // ./target/hot123
            assertFalse(relative.isAbsolute());
            try (GradusServer server = serve(relative, Duration.ZERO)) {
                String base = "http://127.0.0.1:" + server.port();
                assertEquals(200, post(base + "/v2/repository/models/tiny/unload", "").statusCode());
                var load = post(base + "/v2/repository/models/tiny/load", "");
                assertEquals(200, load.statusCode(), load.body());
                assertEquals(200, get(base + "/v2/models/tiny/ready").statusCode());
                assertEquals(404, post(base + "/v2/repository/models/..%2Ftarget/load", "").statusCode());
            }
        } finally {
            HotReloadTest.deleteTree(abs);
        }
    }
}
