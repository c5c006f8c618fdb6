package gradus.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The model directory is watched: new versions and models appear, removed ones go, a broken one does not replace a good one. */
class HotReloadTest {
    @Test
    void newChangedAndRemovedModelsAreFollowed(@TempDir Path models) throws Exception {
        Fixtures.save(models, "tiny", "1", 1);
        try (GradusServer server = new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0)
                .withReloadInterval(Duration.ofMillis(100)).withAccessLog(false)).start()) {
            String base = "http://127.0.0.1:" + server.port();
            assertEquals(List.of("1"), json(get(base + "/v2/models/tiny").body()).get("versions"));

            Fixtures.save(models, "tiny", "2", 2);
            Fixtures.save(models, "other", "1", 3);
            waitFor(() -> get(base + "/v2/models/other/ready").statusCode() == 200);
            waitFor(() -> json(get(base + "/v2/models/tiny").body()).get("versions").equals(List.of("1", "2")));
            String body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,4,4],\"datatype\":\"FP32\",\"data\":" + KServeApiTest.list(new float[16]) + "}]}";
            assertEquals("2", json(post(base + "/v2/models/tiny/infer", body).body()).get("model_version"), "the newest version answers");

            // a version whose files are broken keeps serving the previous load and says why in the index
            Files.writeString(models.resolve("tiny/2/model.safetensors"), "garbage");
            waitFor(() -> post(base + "/v2/repository/index", "").body().contains("reload failed"));
            assertEquals(200, post(base + "/v2/models/tiny/versions/2/infer", body).statusCode());

            deleteTree(models.resolve("other"));
            waitFor(() -> get(base + "/v2/models/other").statusCode() == 404);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check c) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.ok()) {
            if (System.nanoTime() > deadline) fail("condition not reached within 10 s");
            Thread.sleep(50);
        }
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
