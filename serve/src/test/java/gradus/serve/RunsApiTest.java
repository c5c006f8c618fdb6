package gradus.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The dashboard's JSON and event stream, and the static UI files. */
@SuppressWarnings("unchecked")
class RunsApiTest {
    @TempDir
    static Path runs;
    static GradusServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        RunFixtures.finishedRun(runs, "done");
        RunFixtures.appendEpoch(runs.resolve("live"), 1, 2.0);
        RunFixtures.appendEpoch(runs.resolve("follow"), 1, 2.0);
        RunFixtures.languageModelRun(runs, "gpt", 30);
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withRunsDir(runs).withAccessLog(false)).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void listsRunsWithStatusAndHistory() throws Exception {
        List<Map<String, Object>> list = Http.JSON.readValue(get(base + "/api/runs").body(), List.class);
        assertEquals(List.of("done", "follow", "gpt", "live"), list.stream().map(r -> r.get("id")).toList());
        assertEquals(false, list.get(0).get("running"));
        assertEquals(true, list.get(3).get("running"));
        var done = json(get(base + "/api/runs/done").body());
        assertEquals(3, ((List<?>) done.get("history")).size());
        assertEquals("fashion-linear", ((Map<String, Object>) done.get("config")).get("name"));
        assertEquals(404, get(base + "/api/runs/nope").statusCode());
        assertEquals(404, get(base + "/api/runs/..:..:etc/events").statusCode());
    }

    @Test
    void stepRecordsAreNotEpochsAndEachRunNamesItsTask() throws Exception {
        var gpt = json(get(base + "/api/runs/gpt").body());
        assertEquals(1, gpt.get("epochs"), "30 step records and one epoch line");
        assertEquals(1.9, ((Map<String, Object>) gpt.get("last")).get("val_loss"), "last = the last epoch line");
        assertEquals(31, ((List<?>) gpt.get("history")).size(), "the history keeps the step records for the charts");
        assertEquals("language_model", gpt.get("task"));
        assertEquals("classification", json(get(base + "/api/runs/done").body()).get("task"));
        assertNull(json(get(base + "/api/runs/live").body()).get("task"), "no saved model yet");
    }

    @Test
    void eventsFollowARunUntilItsModelIsSaved() throws Exception {
        var res = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/runs/follow/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream", res.headers().firstValue("Content-Type").orElse(""));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            assertTrue(nextData(in).contains("\"epoch\":1"));
            RunFixtures.appendEpoch(runs.resolve("follow"), 2, 1.5);
            assertTrue(nextData(in).contains("\"epoch\":2"), "a new epoch arrives while the run trains");
            Thread.sleep(20); // the saved model must be newer than the log
            RunFixtures.fashionModel(runs.resolve("follow").resolve("model"));
            String line;
            while ((line = in.readLine()) != null && !line.equals("event: end")) { /* skip heartbeats */ }
            assertEquals("event: end", line, "the stream ends when training has saved the model");
        }
    }

    @Test
    void confusionMatrixOnTheRecipesTestData() throws Exception {
        var res = get(base + "/api/runs/done/confusion");
        assertEquals(200, res.statusCode(), res.body());
        var cm = json(res.body());
        assertEquals(RunFixtures.FASHION, cm.get("classes"));
        long total = ((List<List<Number>>) cm.get("counts")).stream().flatMap(List::stream).mapToLong(Number::longValue).sum();
        assertEquals(((Number) ((Map<String, Object>) cm.get("summary")).get("samples")).longValue(), total);
    }

    @Test
    void staticUiAndWebJars() throws Exception {
        assertTrue(get(base + "/ui/").body().contains("Training runs"));
        var js = get(base + "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertEquals(404, get(base + "/ui/../../etc/passwd").statusCode());
        assertEquals(302, CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void aFaviconIsServedAtTheRoot() throws Exception {
        var res = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/favicon.ico")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, res.statusCode());
        assertEquals("image/x-icon", res.headers().firstValue("Content-Type").orElse(""));
        byte[] icon = res.body();
        assertArrayEquals(new byte[]{0, 0, 1, 0}, java.util.Arrays.copyOf(icon, 4), "an ICO file");
    }

    private static String nextData(BufferedReader in) throws Exception {
        String line;
        while ((line = in.readLine()) != null) if (line.startsWith("data: ")) return line;
        throw new AssertionError("stream ended");
    }
}
