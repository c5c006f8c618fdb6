package gradus.serve;

import gradus.serve.text.Generation;
import gradus.serve.text.GenerationParams;
import gradus.serve.text.TextModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A client that closes a server-sent event stream is not a server error: no stack trace in the log,
 * no 5xx in /metrics (it counts as status 499, "client closed request"), and the server serves on.
 */
class ClientDisconnectTest {
    @TempDir
    static Path runs;
    static GradusServer server;
    static String base;
    /** Released by each test once it has closed its socket; the generator then writes into the dead connection. */
    static volatile CountDownLatch closed;
    static final List<LogRecord> LOGGED = new CopyOnWriteArrayList<>();
    static final java.io.ByteArrayOutputStream STDERR = new java.io.ByteArrayOutputStream();
    static PrintStream originalErr;
    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            LOGGED.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    static final List<String> LOGGERS = List.of("", "gradus.serve", "io.helidon"); // the latter two do not pass records up

    /** One piece, then (once the client is gone) pieces until writing fails. */
    static final class Endless extends FakeTextModels.Echo {
        @Override
        public Generation generate(String prompt, GenerationParams params, Consumer<String> onText) {
            onText.accept("first");
            try {
                assertTrue(closed.await(20, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < 100_000; i++) onText.accept(" more");
            return new Generation("", 1, 1, "length");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        RunFixtures.appendEpoch(runs.resolve("live"), 1, 2.0);
        TextModels text = new TextModels().generator("endless", new Endless());
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeStream(originalErr, STDERR), true));
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withRunsDir(runs).withAccessLog(false), text).start();
        base = "http://127.0.0.1:" + server.port();
        for (String name : LOGGERS) Logger.getLogger(name).addHandler(CAPTURE);
    }

    @AfterAll
    static void stop() {
        for (String name : LOGGERS) Logger.getLogger(name).removeHandler(CAPTURE);
        server.close();
        System.setErr(originalErr);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "chat | /v1/chat/completions | {\"model\":\"endless\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}",
            "completions | /v1/completions | {\"model\":\"endless\",\"stream\":true,\"prompt\":\"go\"}",
            "responses | /v1/responses | {\"model\":\"endless\",\"stream\":true,\"input\":\"go\"}"})
    void closingAGenerationStreamIsAClientDisconnect(String endpoint, String path, String body) throws Exception {
        closed = new CountDownLatch(1);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            send(s, "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
            readUntil(s, "first");
        }
        closed.countDown();
        assertDisconnectCounted(endpoint);
    }

    @Test
    void closingARunsEventStreamIsAClientDisconnect() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            send(s, "GET /api/runs/live/events HTTP/1.1\r\nHost: x\r\n\r\n");
            readUntil(s, "\"epoch\":1");
        }
        for (int epoch = 2; !closedStreams(metrics(), "runs"); epoch++) { // each new line is written to the dead socket
            assertTrue(epoch < 400, "the server never noticed the closed stream:\n" + metrics());
            RunFixtures.appendEpoch(runs.resolve("live"), epoch, 1.0);
            Thread.sleep(50);
        }
        assertDisconnectCounted("runs");
    }

    private static void assertDisconnectCounted(String endpoint) throws Exception {
        String m = metrics();
        for (int i = 0; i < 400 && !closedStreams(m, endpoint); i++) {
            Thread.sleep(50);
            m = metrics();
        }
        assertTrue(closedStreams(m, endpoint), "a 499 for the closed stream in\n" + m);
        assertFalse(m.contains("status=\"5"), "no 5xx in /metrics:\n" + m);
        assertEquals(200, get(base + "/v1/models").statusCode(), "the server still serves");
        for (LogRecord r : LOGGED) {
            assertNull(r.getThrown(), () -> "no stack trace in the log: " + r.getMessage() + " " + r.getThrown());
        }
        String err = STDERR.toString(StandardCharsets.UTF_8);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace on stderr:\n" + err);
    }

    /** Whether /metrics counts a request to the endpoint with status 499. */
    private static boolean closedStreams(String metrics, String endpoint) {
        return metrics.lines().anyMatch(l -> l.startsWith("gradus_requests_total{endpoint=\"" + endpoint + "\"") && l.contains("status=\"499\""));
    }

    private static String metrics() throws Exception {
        return get(base + "/metrics").body();
    }

    private static void send(Socket s, String request) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void readUntil(Socket s, String marker) throws Exception {
        s.setSoTimeout(20_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) if (line.contains(marker)) return;
        fail("the stream ended before '" + marker + "'");
    }

    /** Copies stderr into a buffer the test reads, and on to the console. */
    static final class TeeStream extends OutputStream {
        private final OutputStream a, b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }
    }
}
