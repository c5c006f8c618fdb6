package gradus.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, item 9: while a model's files are overwritten in place, one after another, with those
 * of another model, every answer comes from one of the two models, never from config A with weights B.
 */
class ConsistentReloadTest {
    static final String FEATURES;

    static {
        float[] x = new float[16];
        for (int i = 0; i < x.length; i++) x[i] = i / 4f - 1;
        FEATURES = "{\"features\": " + KServeApiTest.list(x) + "}";
    }

    /** The files of a saved model directory, in name order (config.json before model.safetensors). */
    static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) out.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
        return out;
    }

    static Object predictions(String url) throws Exception {
        var res = post(url, FEATURES);
        assertEquals(200, res.statusCode(), res.body());
        return json(res.body()).get("predictions");
    }

    @Test
    void inPlaceOverwritesNeverServeAMix(@TempDir Path tmp) throws Exception {
        // two models that differ in their config (the scaler) and in their weights: a mix answers unlike both
        List<Integer> zeros = java.util.Collections.nCopies(16, 0), ones = java.util.Collections.nCopies(16, 1);
        ModelLoadingTest.saveWith(tmp.resolve("ref/a/1"), 1, ModelLoadingTest.scaler(zeros, ones));
        ModelLoadingTest.saveWith(tmp.resolve("ref/b/1"), 2, ModelLoadingTest.scaler(ones, java.util.Collections.nCopies(16, 3)));
        Map<String, byte[]> a = files(tmp.resolve("ref/a/1")), b = files(tmp.resolve("ref/b/1"));
        Object answerA, answerB;
        try (GradusServer ref = ModelLoadingTest.serve(tmp.resolve("ref"), Duration.ZERO)) {
            answerA = predictions("http://127.0.0.1:" + ref.port() + "/predict/a");
            answerB = predictions("http://127.0.0.1:" + ref.port() + "/predict/b");
        }
        assertNotEquals(answerA, answerB);

        Path live = tmp.resolve("live/m/1");
        Files.createDirectories(live);
        for (var f : a.entrySet()) Files.write(live.resolve(f.getKey()), f.getValue());
        try (GradusServer server = ModelLoadingTest.serve(tmp.resolve("live"), Duration.ofMillis(20))) {
            String url = "http://127.0.0.1:" + server.port() + "/predict/m";
            AtomicBoolean writing = new AtomicBoolean(true);
            ConcurrentLinkedQueue<Object> answers = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (writing.get()) answers.add(predictions(url));
                    } catch (Throwable e) {
                        answers.add(e);
                    }
                }));
            }
            try {
                for (int cycle = 1; cycle <= 12; cycle++) {
                    for (var f : (cycle % 2 == 1 ? b : a).entrySet()) { // in place: same file, truncated and rewritten
                        Files.write(live.resolve(f.getKey()), f.getValue());
                        Thread.sleep(40); // a copy in progress: one file new, the next one old
                    }
                    Thread.sleep(cycle % 3 == 0 ? 800 : 40); // now and then the files rest, and the server may load them
                }
            } finally {
                writing.set(false);
                for (Thread t : readers) t.join();
            }
            int fromA = 0, fromB = 0;
            for (Object answer : answers) {
                if (answer instanceof Throwable e) throw new AssertionError("a request failed", e);
                if (answer.equals(answerA)) fromA++;
                else if (answer.equals(answerB)) fromB++;
                else fail("an answer from neither model (a mix of their files): " + answer + "; A: " + answerA + ", B: " + answerB);
            }
            assertTrue(fromA > 0 && fromB > 0, "both versions served (reloads happened): A " + fromA + ", B " + fromB);
        }
    }
}
