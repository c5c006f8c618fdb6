package gradus.serve;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;

import static gradus.serve.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Helidon ends a listener for good when accept fails (as with "too many open files") while the JVM and the
 * WebServer object stay up. The server notices that its port refuses connections and listens again.
 */
class ListenerWatchdogTest {
    @Test
    void aStoppedListenerIsRestartedOnTheSamePort() throws Exception {
        try (GradusServer s = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withReloadInterval(Duration.ZERO)
                .withAccessLog(false)).start()) {
            String url = "http://127.0.0.1:" + s.port() + "/v2/health/live";
            assertEquals(200, get(url).statusCode());
            stopListenersAsAnAcceptErrorWould(s);
            assertThrows(java.net.ConnectException.class, () -> get(url), "the listener is gone");
            int status = 0;
            for (int i = 0; i < 100 && status != 200; i++) {
                Thread.sleep(100);
                try {
                    status = get(url).statusCode();
                } catch (java.io.IOException refused) { /* not yet */ }
            }
            assertEquals(200, status, "listening again within 10 s");
        }
    }

    /** What Helidon's ServerListener does when accept throws: it stops itself, nothing else does. (Reflection into Helidon 4.5.) */
    private static void stopListenersAsAnAcceptErrorWould(GradusServer s) throws Exception {
        Field f = GradusServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Object web = f.get(s);
        Field listeners = web.getClass().getDeclaredField("listeners");
        listeners.setAccessible(true);
        for (Object listener : ((Map<?, ?>) listeners.get(web)).values()) {
            Method stop = listener.getClass().getDeclaredMethod("stop");
            stop.setAccessible(true);
            stop.invoke(listener);
        }
    }
}
