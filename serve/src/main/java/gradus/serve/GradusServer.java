package gradus.serve;

import gradus.serve.text.TextModels;
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

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
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

    private final ServeOptions options;
    private final ModelRepository models;
    private final TextModels text;
    private final ServeMetrics metrics = new ServeMetrics();
    private final RateLimiter rateLimiter;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private WebServer server;

    /** One line per request on stderr: time, client address, key id, method, path, status, duration. */
    private static Logger accessLogger() {
        Logger log = Logger.getLogger("gradus.access");
        if (log.getHandlers().length == 0) {
            StreamHandler h = new StreamHandler(System.err, new Formatter() {
                @Override
                public String format(LogRecord r) {
                    return r.getInstant() + " " + r.getMessage() + "\n";
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

    public GradusServer(ServeOptions options, TextModels text) {
        this.options = options;
        this.text = text;
        this.models = new ModelRepository(options.modelsDir(), options.maxBatchSize(), options.maxBatchDelay(),
                options.reloadInterval(), metrics::batch);
        this.metrics.queueDepth(models);
        this.rateLimiter = new RateLimiter(options.rateLimit());
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
        var builder = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .shutdownHook(false)
                .routing(this::routes);
        if (options.keystore() != null) builder.tls(Tls.builder().sslContext(sslContext()).build());
        server = builder.build().start();
        LOG.info(() -> "serving " + models.all().size() + " models on " + (options.keystore() != null ? "https" : "http")
                + "://" + options.host() + ":" + server.port());
        return this;
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return server.port();
    }

    private void routes(HttpRouting.Builder r) {
        r.addFilter(this::filter);
        new KServeApi(models, options).routes(r);
        new PredictApi(models, text, options).routes(r);
        new OpenAiApi(text, models, options).routes(r);
        new RunsApi(options, models, text, () -> draining).routes(r);
        r.get("/metrics", (req, res) -> {
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
        r.any((req, res) -> {
            throw ApiException.notFound("no route for " + req.prologue().method().text() + " " + req.path().path());
        });
        r.error(Throwable.class, this::error);
    }

    private static String rest(ServerRequest req, String prefix) {
        String p = req.path().path();
        return p.length() > prefix.length() ? p.substring(prefix.length()) : "";
    }

    /** Open to all: health probes, the UI's static files, metrics. */
    private static boolean open(String path) {
        return path.startsWith("/v2/health/") || path.startsWith("/ui/") || path.startsWith("/webjars/") || path.equals("/")
                || path.equals("/metrics");
    }

    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        RequestInfo info = new RequestInfo();
        req.context().register(info);
        String path = req.path().path();
        inFlight.incrementAndGet();
        metrics.inFlight(1);
        try {
            if (draining) {
                res.header(HeaderNames.CONNECTION, "close");
                throw new ApiException(503, "the server is shutting down");
            }
            info.client = authorize(req, path);
            if (!rateLimiter.tryAcquire(info.client)) {
                res.header(HeaderNames.RETRY_AFTER, Long.toString(rateLimiter.retryAfterSeconds()));
                throw new ApiException(429, "rate limit of " + options.rateLimit() + " requests per second exceeded");
            }
            long length = req.headers().contentLength().orElse(-1);
            if (length > options.maxBodyBytes()) throw Http.tooLarge(options.maxBodyBytes());
            chain.proceed();
        } catch (RuntimeException e) {
            error(req, res, e);
        } finally {
            inFlight.decrementAndGet();
            metrics.inFlight(-1);
            long nanos = System.nanoTime() - start;
            int status = res.status().code();
            metrics.request(info.model, info.endpoint, status, nanos);
            if (options.accessLog() && ACCESS.isLoggable(Level.INFO)) {
                ACCESS.info(String.format(Locale.ROOT, "%s %s %s %s %d %.2fms", req.remotePeer().host(), info.client,
                        req.prologue().method().text(), path, status, nanos / 1e6));
            }
        }
    }

    /** The client's identity for rate limiting: its key, or its address without keys. 401/403 on failure. */
    private String authorize(RoutingRequest req, String path) {
        if (!options.apiKeys().enabled()) return req.remotePeer().host();
        if (open(path)) return req.remotePeer().host();
        String key = req.headers().first(HeaderNames.AUTHORIZATION).map(h -> h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null)
                .or(() -> req.query().first("api_key").asOptional()) // EventSource cannot send headers
                .orElse(null);
        if (key == null || key.isEmpty()) throw unauthorized("missing API key: send 'Authorization: Bearer <key>'");
        Set<ApiKeys.Role> roles = options.apiKeys().roles(key);
        if (roles == null) throw unauthorized("invalid API key");
        ApiKeys.Role needed = path.startsWith("/v2/repository/") ? ApiKeys.Role.ADMIN : ApiKeys.Role.INFER;
        if (!roles.contains(needed)) throw new ApiException(403, "this API key lacks the '" + needed.name().toLowerCase() + "' role");
        return "key:" + Integer.toHexString(key.hashCode());
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, message);
    }

    private void error(ServerRequest req, ServerResponse res, Throwable e) {
        if (res.isSent()) return;
        if (e instanceof UncheckedIOException && inStream(res)) return; // a client left a stream: nothing to answer
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
            LOG.log(Level.WARNING, "request " + id + " (" + req.prologue().method().text() + " " + req.path().path() + ") failed", e);
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
        if (server != null) server.stop();
        models.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
