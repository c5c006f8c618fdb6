package gradus.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Idle and slowly trickling clients cannot hold the listener: a connection cap, idle, header and body timeouts. */
class ConnectionLimitsTest {
    static final int CAP = 4;
    static GradusServer server;

    @BeforeAll
    static void start() {
        Duration shortly = Duration.ofMillis(600);
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withReloadInterval(Duration.ZERO)
                .withAccessLog(false).withClientLimits(new ServeOptions.ClientLimits(CAP, shortly, shortly, shortly, 1))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(10_000); // generous: the server should close or answer far sooner
        return s;
    }

    /** Reads until the server closes the connection; true if it did (false: it kept it open for 10 s). */
    static boolean closedByServer(Socket s) {
        try (InputStream in = s.getInputStream()) {
            while (in.read() >= 0) { /* a 408 or nothing, then the end */ }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    static String liveRequest() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void idleConnectionsTimeOutAndNewRequestsAreAnsweredAfterwards() throws Exception {
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < CAP + 2; i++) idle.add(connect()); // the cap is full, two more wait in the accept queue
        long start = System.nanoTime();
        String answer = liveRequest();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(seconds < 8, "answered once the idle connections timed out, took " + seconds + " s");
        for (Socket s : idle) assertTrue(closedByServer(s), "an idle connection is closed by the server");
        start = System.nanoTime();
        assertTrue(liveRequest().startsWith("HTTP/1.1 200"));
        seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 1, "with the idle ones gone, a request is answered within 1 s, took " + seconds + " s");
    }

    @Test
    void headersTricklingInAreCutOff() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        out.write(("X-Slow-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException closed) { /* the server hung up */ }
            });
            assertTrue(closedByServer(s), "a connection that sends a header line every 100 ms is closed after the header timeout");
            trickle.interrupt();
        }
    }

    @Test
    void bodiesTricklingInAreCutOff() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 1000; i++) {
                        out.write(' ');
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException closed) { /* the server hung up */ }
            });
            assertTrue(closedByServer(s), "a body arriving a byte per 100 ms is cut off after the body timeout");
            trickle.interrupt();
        }
    }
}
