package gradus.serve;

import gradus.serve.text.TextModels;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import com.sun.management.UnixOperatingSystemMXBean;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;
import java.util.logging.Logger;

/**
 * The Gradus model server: KServe v2, OpenAI-compatible and simple predict APIs, the runs
 * dashboard and playground, Prometheus metrics, API keys, limits and TLS, on Helidon's
 * virtual-thread web server.
 */
public final class GradusServer implements AutoCloseable {
    private static final Logger ACCESS = accessLogger();
    private static final Logger LOG = Logger.getLogger(GradusServer.class.getName());
    /** The server's own and Helidon's loggers, held so that their escaping handler stays. */
    private static final List<Logger> SAFE = escapedLoggers("gradus.serve", "io.helidon");
    /** File descriptors kept free for model files, jars and the JVM when the connection cap is derived from the limit. */
    private static final int RESERVED_FDS = 64;
    /** The status recorded for a client that closed its connection mid-response (nginx's "client closed request"). */
    static final int CLIENT_CLOSED = 499;

    private final ServeOptions options;
    private final ModelRepository models;
    private final TextModels text;
    private final ServeMetrics metrics = new ServeMetrics();
    private final RateLimiter rateLimiter;
    private final RateLimiter authFailures;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private volatile WebServer server;
    private int boundPort;
    private ScheduledFuture<?> watchdog;
    private final ConnectionGuard guard;

    /** One line per request on stderr: time, client address, key id, method, path, status, duration. */
    private static Logger accessLogger() {
        Logger log = Logger.getLogger("gradus.access");
        if (log.getHandlers().length == 0) {
            StreamHandler h = new StreamHandler(System.err, new Formatter() {
                @Override
                public String format(LogRecord r) {
                    return r.getInstant() + " " + r.getMessage() + "\n"; // the parts are escaped where the line is made
                }
            }) {
                @Override
                public synchronized void publish(LogRecord r) {
                    super.publish(r);
                    flush();
                }
            };
            log.addHandler(h);
            log.setUseParentHandlers(false);
        }
        return log;
    }

    /** Gives the loggers a handler that escapes what clients control (model names, paths, messages): no forged lines, no NULs. */
    private static List<Logger> escapedLoggers(String... names) {
        List<Logger> out = new ArrayList<>();
        for (String name : names) {
            Logger log = Logger.getLogger(name);
            StreamHandler h = new StreamHandler(System.err, new LogText.SafeFormatter()) {
                @Override
                public synchronized void publish(LogRecord r) {
                    super.publish(r);
                    flush();
                }
            };
            log.addHandler(h);
            log.setUseParentHandlers(false);
            out.add(log);
        }
        return out;
    }

    public GradusServer(ServeOptions options, TextModels text) {
        this.options = options;
        this.text = text;
        this.models = new ModelRepository(options.modelsDir(), options.maxBatchSize(), options.maxBatchDelay(),
                options.reloadInterval(), metrics::batch, options.modelProtection());
        this.metrics.queueDepth(models);
        this.rateLimiter = new RateLimiter(options.rateLimit());
        this.authFailures = new RateLimiter(options.clients().authFailureRate(), 10);
        ServeOptions.ClientLimits limits = options.clients();
        this.guard = new ConnectionGuard(limits.idleTimeout(), limits.headerTimeout(), limits.bodyTimeout());
    }

    public GradusServer(ServeOptions options) {
        this(options, new TextModels());
    }

    public ModelRepository models() {
        return models;
    }

    public TextModels text() {
        return text;
    }

    /** Starts listening; returns this. */
    public GradusServer start() {
        server = listen(options.port());
        boundPort = server.port();
        watchdog = ConnectionGuard.every(Duration.ofSeconds(2), this::keepListening);
        LOG.info(() -> "serving " + models.all().size() + " models on " + (options.keystore() != null ? "https" : "http")
                + "://" + options.host() + ":" + server.port());
        return this;
    }

    private WebServer listen(int port) {
        ServeOptions.ClientLimits limits = options.clients();
        Duration idle = limits.idleTimeout();
        var builder = WebServer.builder()
                .host(options.host())
                .port(port)
                .shutdownHook(false)
                .maxTcpConnections(connectionCap(limits.maxConnections()))
                .idleConnectionTimeout(idle)
                .idleConnectionPeriod(idle.dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0 ? idle.dividedBy(2) : Duration.ofSeconds(1))
                .connectionOptions(guard.socketOptions(SocketOptions.create()))
                .addProtocol(Http1Config.builder().addReceiveListener(guard.listener()).build())
                .contentEncoding(new RequestDecoding())
                .routing(this::routes);
        if (options.keystore() != null) builder.tls(Tls.builder().sslContext(sslContext()).build());
        return builder.build().start();
    }

    /**
     * The connection cap, lowered to what the file-descriptor limit leaves room for: Helidon's listener waits
     * for a free slot before it accepts, so it never meets "too many open files" (which would stop it for good).
     */
    private static int connectionCap(int wanted) {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os)) return wanted;
        long room = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - RESERVED_FDS;
        if (room >= wanted) return wanted;
        int cap = (int) Math.max(1, room);
        LOG.warning(() -> "at most " + cap + " connections instead of " + wanted + ": the open-files limit is "
                + os.getMaxFileDescriptorCount() + " (raise it with ulimit -n)");
        return cap;
    }

    /** Restarts the listener if it stopped accepting while the server should run (Helidon ends it on an accept error). */
    private void keepListening() {
        if (draining || accepting()) return;
        synchronized (this) {
            if (draining) return;
            LOG.warning(() -> "the listener on port " + boundPort + " stopped accepting connections; restarting it");
            try {
                server.stop();
                server = listen(boundPort);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not restart the listener on port " + boundPort + "; will try again", e);
            }
        }
    }

    private boolean accepting() {
        String host = switch (options.host()) { // a wildcard address is probed on loopback of its family
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> options.host();
        };
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(host, boundPort), 1000);
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException other) { // a timeout (a full accept queue) or no descriptor here: not proof of a dead listener
            return true;
        }
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return server.port();
    }

    private void routes(HttpRouting.Builder r) {
        r.addFilter(this::filter);
        new KServeApi(models, options).routes(r);
        new PredictApi(models, text, options).routes(r);
        new ExplainApi(models, text, options).routes(r);
        new OpenAiApi(text, models, options).routes(r);
        new RunsApi(options, models, text, () -> draining).routes(r);
        r.get("/metrics", (req, res) -> { // behind a key when keys are on, unless --public-metrics
            RequestInfo.of(req).endpoint = "metrics";
            Http.send(res, 200, metrics.contentType(), metrics.scrape());
        });
        r.get("/", (req, res) -> {
            res.status(Status.FOUND_302);
            res.header(HeaderNames.LOCATION, "/ui/");
            res.send();
        });
        r.get("/ui/*", (req, res) -> StaticFiles.serve(req, res, "gradus/serve/web/", rest(req, "/ui/")));
        r.get("/webjars/*", (req, res) -> StaticFiles.serve(req, res, "META-INF/resources/webjars/", rest(req, "/webjars/")));
        r.get("/favicon.ico", (req, res) -> StaticFiles.serve(req, res, "gradus/serve/web/", "favicon.ico")); // browsers ask at the root
        r.any((req, res) -> {
            throw ApiException.notFound("no route for " + req.prologue().method().text() + " " + req.path().path());
        });
        r.error(Throwable.class, this::error);
    }

    private static String rest(ServerRequest req, String prefix) {
        String p = req.path().path();
        return p.length() > prefix.length() ? p.substring(prefix.length()) : "";
    }

    /** Open to all: health probes, the UI's static files, and metrics if so configured. */
    private boolean open(String path) {
        return health(path) || path.startsWith("/ui/") || path.startsWith("/webjars/") || path.equals("/") || path.equals("/favicon.ico")
                || path.equals("/metrics") && options.publicMetrics();
    }

    /** Health probes: never rate limited, or an orchestrator would restart a busy server. */
    private static boolean health(String path) {
        return path.startsWith("/v2/health/");
    }

    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        RequestInfo info = new RequestInfo();
        info.guard = guard;
        req.context().register(info);
        String path = req.path().path();
        inFlight.incrementAndGet();
        metrics.inFlight(1);
        try {
            if (draining) {
                res.header(HeaderNames.CONNECTION, "close");
                throw new ApiException(503, "the server is shutting down");
            }
            info.client = authorize(req, res, path);
            if (!health(path) && !rateLimiter.tryAcquire(info.client)) {
                res.header(HeaderNames.RETRY_AFTER, Long.toString(rateLimiter.retryAfterSeconds()));
                throw new ApiException(429, "rate limit of " + options.rateLimit() + " requests per second exceeded");
            }
            long length = req.headers().contentLength().orElse(-1);
            if (length > options.maxBodyBytes()) throw Http.tooLarge(options.maxBodyBytes());
            chain.proceed();
        } catch (RuntimeException e) {
            error(req, res, e);
        } finally {
            guard.responded();
            inFlight.decrementAndGet();
            metrics.inFlight(-1);
            long nanos = System.nanoTime() - start;
            int status = info.clientGone ? CLIENT_CLOSED : res.status().code();
            audit(req, path, info, status);
            metrics.request(modelLabel(info.model), info.endpoint, status, nanos);
            if (options.accessLog() && ACCESS.isLoggable(Level.INFO)) {
                ACCESS.info(String.format(Locale.ROOT, "%s %s %s %s %d %.2fms", LogText.escape(req.remotePeer().host()),
                        LogText.escape(info.client), LogText.escape(req.prologue().method().text()), LogText.escape(path), status, nanos / 1e6));
            }
        }
    }

    /** The model label for metrics: a model being served, or "unknown", so that hostile names add no series. */
    private String modelLabel(String name) {
        if (name == null || name.isEmpty()) return "";
        boolean known = text.generator(name) != null || text.embedder(name) != null || text.classifier(name) != null
                || models.all().stream().anyMatch(m -> m.name().equals(name));
        return known ? name : "unknown";
    }

    /**
     * The client's identity for rate limiting: its key, or its address without keys. 401/403 on failure;
     * 429 once an address has failed too often (key guessing), until its failure budget refills.
     */
    private String authorize(RoutingRequest req, RoutingResponse res, String path) {
        String address = req.remotePeer().host();
        if (!options.apiKeys().enabled() || open(path)) return address;
        RequestInfo info = RequestInfo.of(req);
        if (!authFailures.allows(address)) {
            info.refusal = "too many failed authentications";
            throw tooManyFailures(res);
        }
        try {
            return authenticate(req, path);
        } catch (ApiException e) {
            info.refusal = e.getMessage();
            if (e.status() == 401 && !authFailures.tryAcquire(address)) throw tooManyFailures(res);
            throw e;
        }
    }

    private ApiException tooManyFailures(RoutingResponse res) {
        res.header(HeaderNames.RETRY_AFTER, Long.toString(authFailures.retryAfterSeconds()));
        return new ApiException(429, "too many failed authentications from this address; retry after "
                + authFailures.retryAfterSeconds() + " s");
    }

    private String authenticate(RoutingRequest req, String path) {
        String key = req.headers().first(HeaderNames.AUTHORIZATION).map(h -> h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null)
                .or(() -> req.query().first("api_key").asOptional()) // EventSource cannot send headers
                .orElse(null);
        if (key == null || key.isEmpty()) throw unauthorized("missing API key: send 'Authorization: Bearer <key>'");
        ApiKeys.Entry entry = options.apiKeys().find(key);
        if (entry == null) throw unauthorized("invalid API key");
        RequestInfo info = RequestInfo.of(req);
        info.key = entry;
        ApiKeys.Role needed = admin(path) ? ApiKeys.Role.ADMIN : ApiKeys.Role.INFER;
        if (!entry.roles().contains(needed)) throw new ApiException(403, "this API key lacks the '" + needed.name().toLowerCase() + "' role");
        return "key:" + entry.name();
    }

    private static boolean admin(String path) {
        return path.startsWith("/v2/repository/");
    }

    /** Admin actions and refused requests (bad or missing key, missing role or model scope, key guessing) go to the audit log. */
    private void audit(RoutingRequest req, String path, RequestInfo info, int status) {
        AuditLog audit = options.apiKeys().audit();
        boolean refused = (status == 401 || status == 403 || status == 429) && info.refusal != null;
        if (!audit.enabled() || !(refused || admin(path))) return;
        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("status", status);
        fields.put("method", req.prologue().method().text());
        fields.put("path", path);
        fields.put("address", req.remotePeer().host());
        fields.put("key", info.key == null ? null : info.key.name());
        if (!info.model.isEmpty()) fields.put("model", info.model);
        if (info.refusal != null) fields.put("reason", info.refusal);
        audit.record(refused ? "refused" : "admin", fields);
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, message);
    }

    private void error(ServerRequest req, ServerResponse res, Throwable e) {
        if (Http.clientGone(e) || e instanceof UncheckedIOException && inStream(res)) { // a client left: nothing to answer, nothing to fix
            RequestInfo.of(req).clientGone = true;
            LOG.fine(() -> "the client closed the connection during " + req.prologue().method().text() + " " + LogText.escape(req.path().path()));
            return;
        }
        if (res.isSent()) return;
        int status;
        String message;
        if (e instanceof ApiException a) {
            status = a.status();
            message = a.getMessage();
        } else if (e instanceof UncheckedIOException) {
            status = 400;
            message = "could not read the request: " + e.getMessage();
        } else {
            status = 500;
            message = null;
        }
        if (status == 500) { // the details are for the log, where the request id finds them
            String id = RequestIds.next();
            LOG.log(Level.WARNING, "request " + id + " (" + req.prologue().method().text() + " " + LogText.escape(req.path().path()) + ") failed", e);
            res.header(RequestIds.HEADER, id);
            message = "internal error (request id " + id + ")";
        }
        try {
            if (status == 401) res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            Http.json(res, status, Errors.body(req.path().path(), status, message));
        } catch (IllegalStateException streaming) { // the body had begun: the client sees it cut short
            LOG.log(Level.FINE, "error after the response began", e);
        }
    }

    /** Whether the handler had started a streamed body (SSE): then no error body can follow. */
    private static boolean inStream(ServerResponse res) {
        return res.headers().contentType().map(t -> t.text().startsWith("text/event-stream")).orElse(false);
    }

    private SSLContext sslContext() {
        try (InputStream in = Files.newInputStream(options.keystore())) {
            char[] password = options.keystorePassword() == null ? new char[0] : options.keystorePassword().toCharArray();
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read keystore " + options.keystore() + ": " + e.getMessage(), e);
        }
    }

    /** Requests being handled now. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Graceful shutdown: new requests get 503, requests in flight get up to {@code grace} to
     * finish, then the listener and the model workers stop.
     */
    public void stop(Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (watchdog != null) watchdog.cancel(false);
        guard.stop();
        synchronized (this) {
            if (server != null) server.stop();
        }
        models.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
