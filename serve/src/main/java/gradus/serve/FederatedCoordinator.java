package gradus.serve;

import gradus.federated.ClientUpdate;
import gradus.federated.Floats;
import gradus.federated.RoundCoordinator;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP(S) face of a {@link RoundCoordinator}, for clients in other processes ({@link gradus.federated.FederatedClient}):
 * <ul>
 *   <li>{@code GET /federated/v1/task?client=NAME&wait_s=S} — long-polls up to S seconds (at most 60) and answers
 *       {@code {"task": "train", "round", "weights", "clip_norm"}}, {@code {"task": "wait"}} or {@code {"task": "done"}};</li>
 *   <li>{@code POST /federated/v1/update} {@code {"client", "round", "examples", "delta"}} — {@code {"accepted": false}}
 *       when the round closed before it came;</li>
 *   <li>with secure aggregation, a trained client posts each message to {@code POST /federated/v1/secagg/PHASE}
 *       (keys, shares, masked, reveal; {@code {"client", "round", …}}) and long-polls
 *       {@code GET /federated/v1/secagg/state?client=&round=&after=PHASE} for what the next phase needs;</li>
 *   <li>{@code GET /federated/v1/status}.</li>
 * </ul>
 * Weights and deltas are base64 little-endian float32. With a token, every request needs {@code Authorization: Bearer TOKEN}.
 */
public final class FederatedCoordinator implements AutoCloseable {
    private static final long MAX_UPDATE_BYTES = 1L << 30;

    private final RoundCoordinator rounds;
    private final byte[] token;
    private final int dimension;
    private WebServer server;

    /** @param token the bearer token clients must send, or null for none (use only on a trusted network) */
    public FederatedCoordinator(RoundCoordinator rounds, String token) {
        this.rounds = rounds;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.dimension = rounds.weights().length;
    }

    /** Starts listening; {@code tls} may be null for plain HTTP. */
    public FederatedCoordinator start(String host, int port, SSLContext tls) {
        var builder = WebServer.builder().host(host).port(port).shutdownHook(false).routing(this::routes);
        if (tls != null) builder.tls(Tls.builder().sslContext(tls).build());
        server = builder.build().start();
        return this;
    }

    public int port() {
        return server.port();
    }

    /** Stops listening; after a finished run, first gives every known client up to 10 s to hear that it is done. */
    @Override
    public void close() {
        if (server == null) return;
        try {
            if (rounds.done()) rounds.awaitDoneDelivered(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.stop();
        }
    }

    private void routes(HttpRouting.Builder r) {
        r.addFilter((chain, req, res) -> {
            if (token != null && !authorized(req.headers().first(HeaderNames.AUTHORIZATION).orElse(""))) {
                Http.json(res, 401, Map.of("error", "this coordinator needs Authorization: Bearer TOKEN"));
                return;
            }
            chain.proceed();
        });
        r.get("/federated/v1/task", this::task);
        r.post("/federated/v1/update", this::update);
        r.post("/federated/v1/secagg/{phase}", (req, res) -> {
            Map<String, Object> body = Http.jsonObject(req, MAX_UPDATE_BYTES);
            String phase = req.path().pathParameters().first("phase").orElse("");
            boolean accepted = rounds.secAggPost(field(body, "client", String.class), field(body, "round", Number.class).intValue(), phase, body);
            Http.json(res, 200, Map.of("accepted", accepted));
        });
        r.get("/federated/v1/secagg/state", (req, res) -> {
            String client = req.query().first("client").orElseThrow(() -> ApiException.badRequest("query parameter 'client' is missing"));
            int round;
            try {
                round = Integer.parseInt(req.query().first("round").orElse(""));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("query parameter 'round' must be an integer");
            }
            String after = req.query().first("after").orElseThrow(() -> ApiException.badRequest("query parameter 'after' is missing"));
            Http.json(res, 200, rounds.secAggState(client, round, after, Duration.ofSeconds(20)));
        });
        r.get("/federated/v1/status", (req, res) -> Http.json(res, 200, Map.of("done", rounds.done(), "clients", rounds.knownClients())));
        r.any((req, res) -> Http.json(res, 404, Map.of("error", "no route for " + req.prologue().method().text() + " " + req.path().path())));
        r.error(Throwable.class, (req, res, e) -> {
            if (res.isSent()) return;
            int status = e instanceof ApiException a ? a.status() : e instanceof IllegalArgumentException ? 400 : 500;
            Http.json(res, status, Map.of("error", status == 500 ? "internal error" : String.valueOf(e.getMessage())));
        });
    }

    private boolean authorized(String header) {
        byte[] given = header.startsWith("Bearer ") ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        return MessageDigest.isEqual(given, token);
    }

    private void task(ServerRequest req, ServerResponse res) throws InterruptedException {
        String client = req.query().first("client").orElseThrow(() -> ApiException.badRequest("query parameter 'client' is missing"));
        int wait;
        try {
            wait = Math.clamp(Integer.parseInt(req.query().first("wait_s").orElse("20")), 0, 60);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter 'wait_s' must be an integer number of seconds");
        }
        RoundCoordinator.Task t = rounds.poll(client, Duration.ofSeconds(wait));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("task", t.kind().name().toLowerCase());
        if (t.kind() == RoundCoordinator.Task.Kind.TRAIN) {
            body.put("round", t.round());
            body.put("clip_norm", t.clipNorm());
            body.put("weights", Floats.encode(t.weights()));
            if (t.secAggIndex() > 0) body.put("secagg", Map.of("index", t.secAggIndex(), "threshold", t.secAggThreshold()));
        }
        Http.json(res, 200, body);
        if (t.kind() == RoundCoordinator.Task.Kind.DONE) rounds.doneDelivered(client);
    }

    private void update(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = Http.jsonObject(req, MAX_UPDATE_BYTES);
        String client = field(body, "client", String.class);
        int round = field(body, "round", Number.class).intValue();
        int examples = field(body, "examples", Number.class).intValue();
        float[] delta = Floats.decode(field(body, "delta", String.class), dimension, "delta of client " + client);
        for (int i = 0; i < delta.length; i++) {
            if (!Float.isFinite(delta[i])) throw ApiException.badRequest("delta of client " + client + " has " + delta[i] + " at index " + i);
        }
        boolean accepted = rounds.submit(new ClientUpdate(client, delta, examples), round);
        Http.json(res, 200, Map.of("accepted", accepted));
    }

    private static <T> T field(Map<String, Object> body, String key, Class<T> type) {
        Object v = body.get(key);
        if (!type.isInstance(v)) throw ApiException.badRequest("key '" + key + "' must be a " + (type == String.class ? "string" : "number") + ", got " + v);
        return type.cast(v);
    }
}
