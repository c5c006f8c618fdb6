package gradus.serve;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for every phase of a connection: waiting for a request, reading its headers, reading its
 * body. Helidon's own idle timeout only sees connections that have sent a first byte, and it has no
 * header or body timeout, so a client that connects and says nothing, or sends a byte a second, would
 * hold its connection for good. A sweep closes each connection whose deadline has passed.
 *
 * <p>It learns of connections as Helidon configures each accepted socket ({@link #socketOptions}) and
 * follows their requests through an HTTP/1 listener ({@link #listener}) whose callbacks run on the
 * connection's own thread.
 */
final class ConnectionGuard {
    private static final ScheduledThreadPoolExecutor TIMER = timer();
    private static final ThreadLocal<Tracked> CURRENT = new ThreadLocal<>();

    private final Duration idle, headers, body;
    private final Map<SocketAddress, Tracked> open = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> sweep;

    ConnectionGuard(Duration idle, Duration headers, Duration body) {
        this.idle = idle;
        this.headers = headers;
        this.body = body;
        Duration shortest = idle.compareTo(headers) < 0 ? idle : headers;
        shortest = shortest.compareTo(body) < 0 ? shortest : body;
        Duration period = shortest.dividedBy(4).compareTo(Duration.ofMillis(500)) < 0 ? shortest.dividedBy(4) : Duration.ofMillis(500);
        sweep = every(period.isZero() ? Duration.ofMillis(1) : period, this::sweep);
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "gradus-connection-guard");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    static ScheduledFuture<?> every(Duration period, Runnable task) {
        return TIMER.scheduleWithFixedDelay(task, period.toMillis(), Math.max(1, period.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** One connection and when it must have made progress by. */
    static final class Tracked {
        final SocketChannel channel;
        volatile long deadline; // System.nanoTime(); Long.MAX_VALUE while the server is working on a request
        volatile String phase;
        volatile boolean expired;

        Tracked(SocketChannel channel) {
            this.channel = channel;
        }

        void expect(String what, Duration within) {
            phase = what;
            deadline = System.nanoTime() + within.toNanos();
        }

        void working() {
            deadline = Long.MAX_VALUE;
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        open.values().removeIf(t -> {
            if (!t.channel.isOpen()) return true;
            if (now - t.deadline < 0) return false;
            t.expired = true;
            try {
                t.channel.close(); // the connection's blocked read fails and Helidon ends it
            } catch (IOException ignored) { // it is going away either way
            }
            return true;
        });
    }

    void stop() {
        sweep.cancel(false);
    }

    /** Connections open now (for tests and logs). */
    int size() {
        return open.size();
    }

    /** Helidon's socket options, plus: each accepted socket is tracked, first waiting for a request. */
    SocketOptions socketOptions(SocketOptions base) {
        return new SocketOptions() {
            @Override
            public void configureSocket(SocketChannel channel) {
                base.configureSocket(channel);
                try {
                    Tracked t = new Tracked(channel);
                    t.expect("request", idle);
                    open.put(channel.getRemoteAddress(), t);
                } catch (IOException gone) { // the peer left already
                }
            }

            @Override
            public void configureSocket(Socket socket) {
                base.configureSocket(socket);
            }

            @Override
            public Map<SocketOption<?>, Object> socketOptions() {
                return base.socketOptions();
            }

            @Override
            public Duration connectTimeout() {
                return base.connectTimeout();
            }

            @Override
            public Duration readTimeout() {
                return base.readTimeout();
            }

            @Override
            public Optional<Integer> socketReceiveBufferSize() {
                return base.socketReceiveBufferSize();
            }

            @Override
            public Optional<Integer> socketSendBufferSize() {
                return base.socketSendBufferSize();
            }

            @Override
            public boolean socketReuseAddress() {
                return base.socketReuseAddress();
            }

            @Override
            public boolean socketKeepAlive() {
                return base.socketKeepAlive();
            }

            @Override
            public boolean tcpNoDelay() {
                return base.tcpNoDelay();
            }
        };
    }

    /** Follows each request: headers due after the first line; the handler's time is its own. */
    Http1ConnectionListener listener() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                Tracked t = open.get(ctx.remotePeer().address());
                CURRENT.set(t);
                if (t != null) t.expect("headers", headers);
            }

            @Override
            public void headers(ConnectionContext ctx, Headers h) {
                Tracked t = CURRENT.get();
                if (t != null) t.working();
            }
        };
    }

    /** The handler is about to read the body: it is due within the body timeout. Returns what to pass to {@link #bodyRead}. */
    Tracked bodyStarts() {
        Tracked t = CURRENT.get();
        if (t != null) t.expect("body", body);
        return t;
    }

    /** The body has arrived (or failed); true when it failed because its deadline passed. */
    static boolean bodyRead(Tracked t) {
        if (t == null) return false;
        t.working();
        return t.expired;
    }

    /** The response is out: the connection waits for its next request. */
    void responded() {
        Tracked t = CURRENT.get();
        if (t != null) t.expect("request", idle);
    }
}
