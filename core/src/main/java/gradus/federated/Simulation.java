package gradus.federated;

import gradus.data.DataLoader;
import gradus.data.Dataset;
import gradus.metrics.Metric;
import gradus.nn.Module;
import gradus.tensor.Rng;
import gradus.train.Loss;
import gradus.train.Trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Federated training of N simulated clients in one process: each round samples clients, lets each train locally
 * from the global weights, drops some (their updates never arrive), and hands the rest to the server. With
 * {@code secure} the updates go through the secure-aggregation protocol and the server sees only their sum.
 */
public final class Simulation {
    /** One round's outcome; {@code epsilon} is NaN without client-level DP. */
    public record Round(int round, int sampled, int completed, double testLoss, double testAccuracy, double epsilon) {}

    private final Module model;
    private final List<Dataset> clients;
    private final FederatedServer server;
    private final LocalTraining local;
    private final ClientSampler sampler;
    private final double dropout;
    private final boolean secure;
    private final long seed;
    private double delta = 1e-5;

    /**
     * @param model   a model of the right architecture; its weights are overwritten every client turn
     * @param dropout the probability that a sampled client drops out before its update arrives
     */
    public Simulation(Module model, List<Dataset> clients, FederatedServer server, LocalTraining local,
                      ClientSampler sampler, double dropout, boolean secure, long seed) {
        if (clients.isEmpty()) throw new IllegalArgumentException("a simulation needs at least one client");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        this.model = model;
        this.clients = List.copyOf(clients);
        this.server = server;
        this.local = local;
        this.sampler = sampler;
        this.dropout = dropout;
        this.secure = secure;
        this.seed = seed;
    }

    /** The δ for which ε is reported (DP only). */
    public Simulation delta(double delta) {
        this.delta = delta;
        return this;
    }

    public List<Round> run(int rounds, Dataset test, Consumer<Round> onRound) {
        List<Round> history = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            int[] picked = server.dp() != null ? sampler.poisson(clients.size(), r) : sampler.sample(clients.size(), r);
            Rng drops = new Rng(Rng.derive(seed ^ 0xD209L, r));
            float[] global = server.weights();
            List<ClientUpdate> updates = new ArrayList<>();
            List<ClientUpdate> dropped = new ArrayList<>();
            for (int c : picked) {
                ClientUpdate u = local.train("client-" + c, model, global, clients.get(c), Rng.derive(seed, (long) r * clients.size() + c));
                if (server.dp() != null) u = server.dp().clip(u);
                (drops.nextDouble() < dropout ? dropped : updates).add(u);
            }
            if (secure) finishSecurely(updates, dropped, r);
            else server.finishRound(updates);
            FlatWeights.set(model, server.weights());
            var logs = test == null ? java.util.Map.of("loss", Double.NaN, "accuracy", Double.NaN) : evaluate(model, test);
            Round result = new Round(r + 1, picked.length, updates.size(), logs.get("loss"), logs.get("accuracy"), server.epsilon(delta));
            history.add(result);
            if (onRound != null) onRound.accept(result);
        }
        return history;
    }

    /** Dropped clients drop after sending their masked update's keys and shares: the worst case the protocol handles. */
    private void finishSecurely(List<ClientUpdate> survivors, List<ClientUpdate> dropped, int round) {
        List<ClientUpdate> all = new ArrayList<>(survivors);
        all.addAll(dropped);
        if (all.isEmpty()) {
            server.finishRound(List.of());
            return;
        }
        boolean dp = server.dp() != null;
        var sum = SecureAggregation.simulate(all, dropped.stream().map(ClientUpdate::client).toList(), !dp,
                Rng.derive(seed ^ 0x5EC, round));
        if (dp) server.finishRoundFromSum(sum.sum());
        else server.finishRoundFromSum(sum.sum(), sum.examples());
    }

    public static java.util.Map<String, Double> evaluate(Module model, Dataset test) {
        return Trainer.of(model).loss(Loss.crossEntropy()).metrics(Metric.accuracy()).evaluate(DataLoader.of(test).batchSize(512));
    }
}
