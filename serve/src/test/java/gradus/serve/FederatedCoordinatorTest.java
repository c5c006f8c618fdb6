package gradus.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.Dataset;
import gradus.data.TensorDataset;
import gradus.federated.Aggregator;
import gradus.federated.ClientSampler;
import gradus.federated.FederatedClient;
import gradus.federated.FederatedServer;
import gradus.federated.FlatWeights;
import gradus.federated.LocalTraining;
import gradus.federated.RoundCoordinator;
import gradus.federated.ServerOptimizer;
import gradus.federated.Simulation;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator and clients talking over real sockets, one client vanishing mid-round. */
class FederatedCoordinatorTest {
    private static final String TOKEN = "test-token-123";

    /** Two Gaussian blobs in 8 dimensions, means ±1 on every axis: linearly separable with margin. */
    private static TensorDataset blobs(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[n * 8];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 8; j++) x[i * 8 + j] = (float) ((y[i] == 0 ? -1 : 1) + rng.nextGaussian());
        }
        return new TensorDataset(Tensor.of(x, n, 8), IntTensor.of(y, n));
    }

    @Test
    void aClientThatDiesMidRoundDoesNotStallTheRound() throws Exception {
        federate(false, 4);
    }

    /** The same run with secure aggregation over HTTP ends at the same model, within the fixed-point error. */
    @Test
    void secureAggregationOverHttpGivesThePlainModel() throws Exception {
        float[] plain = federate(false, 2), secure = federate(true, 2);
        double worst = 0;
        for (int i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs(plain[i] - secure[i]));
        assertTrue(worst < 1e-4, "secure and plain runs differ by " + worst);
    }

    /** Four rounds with three clients and one that takes its first task and vanishes; returns the final weights. */
    private static float[] federate(boolean secureAggregation, int roundCount) throws Exception {
        Rng.manualSeed(1);
        Module model = new Linear(8, 2);
        var server = new FederatedServer(FlatWeights.get(model), Aggregator.fedAvg(), ServerOptimizer.sgd(1));
        var rounds = new RoundCoordinator(server, new ClientSampler(1.0, 4, 0), roundCount, Duration.ofSeconds(10), secureAggregation);
        var local = new LocalTraining(1, 16, Map.of("type", "sgd", "lr", 0.1), 0, Loss.crossEntropy());
        List<RoundCoordinator.Report> reports = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newCachedThreadPool();
        try (var coordinator = new FederatedCoordinator(rounds, TOKEN).start("127.0.0.1", 0, null)) {
            URI uri = URI.create("http://127.0.0.1:" + coordinator.port());
            Future<?> driver = pool.submit(() -> {
                rounds.run(Duration.ofSeconds(20), reports::add);
                return null;
            });
            List<Future<Integer>> clients = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                Dataset data = blobs(200, 10 + c);
                Module own = new Linear(8, 2);
                String name = "client-" + c;
                clients.add(pool.submit(() -> new FederatedClient(uri, name, TOKEN, own, data, local).run(null)));
            }
            // the fourth takes its task for round 1 and is never heard from again
            HttpClient http = HttpClient.newHttpClient();
            var task = http.send(HttpRequest.newBuilder(uri.resolve("/federated/v1/task?client=doomed&wait_s=30"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("train", new ObjectMapper().readTree(task.body()).path("task").asText(), task.body());

            driver.get();
            for (var c : clients) assertTrue(c.get() >= 1);
            // what close() waits for before it stops listening, so no client is cut off while hearing it is done
            assertTrue(rounds.awaitDoneDelivered(Duration.ofSeconds(5)), "every client still known was told the run is done");
            assertEquals(roundCount, reports.size());
            var first = reports.get(0);
            assertTrue(first.sampled().contains("doomed"));
            assertEquals(List.of("client-0", "client-1", "client-2"), first.answered());
            // forgotten after missing its round: the later rounds wait for nobody
            for (var r : reports.subList(1, roundCount)) {
                assertFalse(r.sampled().contains("doomed"), r.toString());
                assertEquals(3, r.answered().size(), r.toString());
            }

            FlatWeights.set(model, rounds.weights());
            if (roundCount < 4) return rounds.weights();
            double accuracy = Simulation.evaluate(model, blobs(1000, 99)).get("accuracy");
            assertTrue(accuracy > 0.9, "federated model accuracy " + accuracy);

            var refused = http.send(HttpRequest.newBuilder(uri.resolve("/federated/v1/status")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode());
            var late = http.send(HttpRequest.newBuilder(uri.resolve("/federated/v1/update")).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"doomed\",\"round\":0,\"examples\":5,\"delta\":\""
                            + gradus.federated.Floats.encode(new float[18]) + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, late.statusCode(), late.body());
            assertEquals("{\"accepted\":false}", late.body());
            var bad = http.send(HttpRequest.newBuilder(uri.resolve("/federated/v1/update")).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"x\",\"round\":0,\"examples\":5,\"delta\":\"AAAA\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("delta of client x has 3 bytes, expected 72"), bad.body());
            return rounds.weights();
        } finally {
            pool.shutdownNow();
        }
    }
}
