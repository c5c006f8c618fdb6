package gradus.serve;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Nothing a client sends can forge a log line or put a control character on stderr. */
class LogForgingTest {
    @Test
    void accessLogEscapesControlCharacters() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage().contains(" /v2/models/")) lines.add(r.getMessage()); // this test's requests only
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        try (GradusServer s = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withReloadInterval(Duration.ZERO)).start()) {
            Logger access = Logger.getLogger("gradus.access");
            access.addHandler(capture);
            try {
                String base = "http://127.0.0.1:" + s.port();
                get(base + "/v2/models/x%0a2026-01-01T00:00:00Z%20127.0.0.1%20admin%20GET%20/forged%20200");
                get(base + "/v2/models/a%00b%1b%5b31m%e2%80%aeevil");
                for (int i = 0; i < 500 && lines.size() < 2; i++) Thread.sleep(10); // logged just after the response is out
            } finally {
                access.removeHandler(capture);
            }
        }
        assertEquals(2, lines.size(), lines.toString());
        for (String line : lines) {
            assertTrue(line.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x202e), "no control or bidi character in " + line);
        }
        assertTrue(lines.get(0).contains("x\\n2026"), lines.get(0));
        assertTrue(lines.get(1).contains("a\\x00b\\x1b[31m\\u{202e}evil"), lines.get(1));
    }

    @Test
    void serverLogsEscapeMessagesAndStackTraces() {
        LogRecord r = new LogRecord(Level.WARNING, "cannot load model x\nFORGED\u0000");
        r.setLoggerName("gradus.serve.ModelRepository");
        r.setThrown(new IllegalStateException("bad name 'y\r\nFORGED'", new RuntimeException("\u0007")));
        String out = new LogText.SafeFormatter().format(r);
        for (String line : out.split("\n")) {
            assertTrue(line.chars().noneMatch(c -> c < 0x20 && c != '\t'), line);
            assertFalse(line.startsWith("FORGED"), "no line begins with client text: " + line);
        }
        assertTrue(out.contains("cannot load model x\\nFORGED\\x00"), out);
        assertTrue(out.contains("Caused by: java.lang.RuntimeException: \\x07"), out);
    }

    @Test
    void serverLoggersUseTheEscapingFormatter() throws Exception {
        Class.forName(GradusServer.class.getName(), true, getClass().getClassLoader()); // its initializer installs the handlers
        for (String name : List.of("gradus.serve", "io.helidon")) {
            Logger log = Logger.getLogger(name);
            assertFalse(log.getUseParentHandlers(), name);
            assertTrue(List.of(log.getHandlers()).stream().anyMatch(h -> h.getFormatter() instanceof LogText.SafeFormatter), name);
        }
    }
}
