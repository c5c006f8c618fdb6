package gradus.federated;

import gradus.tensor.Rng;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.Dataset;
import gradus.nn.Module;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A federated client process: polls the coordinator ({@code gradus federated coordinator}) for work, trains
 * locally and posts the update, until the coordinator says the run is done. The protocol is JSON over HTTP(S):
 * {@code GET /federated/v1/task?client=NAME&wait_s=S} and {@code POST /federated/v1/update}.
 */
public final class FederatedClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int POLL_SECONDS = 20;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final URI coordinator;
    private final String name;
    private final String token;
    private final Module model;
    private final Dataset data;
    private final LocalTraining local;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param token the bearer token the coordinator requires, or null */
    public FederatedClient(URI coordinator, String name, String token, Module model, Dataset data, LocalTraining local) {
        this.coordinator = coordinator;
        this.name = name;
        this.token = token;
        this.model = model;
        this.data = data;
        this.local = local;
    }

    /** Runs until the coordinator is done; returns the number of rounds this client trained in. */
    public int run(PrintStream log) throws IOException, InterruptedException {
        int trained = 0;
        int size = FlatWeights.size(model);
        while (true) {
            JsonNode task = send(HttpRequest.newBuilder(coordinator.resolve("/federated/v1/task?client="
                    + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&wait_s=" + POLL_SECONDS)).GET());
            switch (task.path("task").asText()) {
                case "done" -> {
                    return trained;
                }
                case "wait" -> {}
                case "train" -> {
                    int round = task.path("round").asInt();
                    float[] global = Floats.decode(task.path("weights").asText(), size, "weights of round " + round);
                    if (log != null) {
                        log.printf("round %d: training on %,d examples%n", round + 1, data.size());
                        log.flush();
                    }
                    ClientUpdate u = local.train(name, model, global, data, Rng.derive(name.hashCode(), round));
                    double clip = task.path("clip_norm").asDouble(0);
                    if (clip > 0) u = ClientDp.clip(u, clip);
                    boolean accepted;
                    if (task.has("secagg")) {
                        var client = new SecAggClient(task.path("secagg").path("index").asInt(), task.path("secagg").path("threshold").asInt(),
                                round, SecureAggregation.withCount(u, clip == 0), RANDOM);
                        accepted = secureAggregation(client, round);
                    } else {
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("examples", u.examples());
                        body.put("delta", Floats.encode(u.delta()));
                        accepted = post("update", round, body).path("accepted").asBoolean();
                    }
                    trained++;
                    if (log != null) log.printf("round %d: trained on %,d examples, update %s%n", round + 1, u.examples(),
                            accepted ? "accepted" : "too late");
                    if (log != null) log.flush();
                }
                default -> throw new IOException("coordinator " + coordinator + " sent an unknown task: " + task);
            }
        }
    }

    /** The four messages of a secure-aggregation round; false when the round closed on this client. */
    private boolean secureAggregation(SecAggClient client, int round) throws IOException, InterruptedException {
        if (!post("secagg/keys", round, SecAggJson.keys(client.advertise())).path("accepted").asBoolean()) return false;
        JsonNode state = state(round, "keys");
        if (!state.path("phase").asText().equals("shares")) return false;
        List<SecureAggregation.Keys> keys = new ArrayList<>();
        for (JsonNode k : state.path("keys")) keys.add(SecAggJson.keys(JSON.convertValue(k, Map.class)));
        var shares = client.shareKeys(keys).stream().map(SecAggJson::share).toList();
        if (!post("secagg/shares", round, Map.of("shares", shares)).path("accepted").asBoolean()) return false;
        state = state(round, "shares");
        if (!state.path("phase").asText().equals("masked")) return false;
        List<SecureAggregation.Share> toMe = new ArrayList<>();
        for (JsonNode sh : state.path("shares")) toMe.add(SecAggJson.share(JSON.convertValue(sh, Map.class)));
        if (!post("secagg/masked", round, SecAggJson.masked(client.mask(toMe))).path("accepted").asBoolean()) return false;
        state = state(round, "masked");
        if (!state.path("phase").asText().equals("reveal")) return false;
        var survivors = new java.util.TreeSet<>(SecAggJson.indices(JSON.convertValue(state.path("survivors"), List.class)));
        return post("secagg/reveal", round, SecAggJson.reveal(client.unmask(survivors))).path("accepted").asBoolean();
    }

    /** Long-polls until the phase after {@code after} opens (or the round closes). */
    private JsonNode state(int round, String after) throws IOException, InterruptedException {
        while (true) {
            JsonNode s = send(HttpRequest.newBuilder(coordinator.resolve("/federated/v1/secagg/state?client="
                    + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&round=" + round + "&after=" + after)).GET());
            if (!s.path("phase").asText().equals("wait")) return s;
        }
    }

    private JsonNode post(String path, int round, Map<String, Object> fields) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>(fields);
        body.put("client", name);
        body.put("round", round);
        return send(HttpRequest.newBuilder(coordinator.resolve("/federated/v1/" + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<byte[]> res = http.send(request.timeout(Duration.ofSeconds(POLL_SECONDS + 30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body;
        try {
            body = JSON.readTree(res.body());
        } catch (IOException e) {
            throw new IOException("coordinator " + coordinator + " answered HTTP " + res.statusCode() + " with a body that is not JSON");
        }
        if (res.statusCode() != 200) {
            throw new IOException("coordinator " + coordinator + " answered HTTP " + res.statusCode() + ": " + body.path("error").asText(body.toString()));
        }
        return body;
    }
}
