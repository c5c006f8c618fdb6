package gradus.federated;

import gradus.io.ModelCard;
import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.data.Dataset;
import gradus.data.MinMaxScaler;
import gradus.data.Scaler;
import gradus.data.StandardScaler;
import gradus.data.TensorDataset;
import gradus.data.datasets.Datasets;
import gradus.io.ModelDirectory;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.tensor.Rng;
import gradus.train.Loss;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training recipe (data, model, optimizer, training) plus a {@code federated} section, for simulation and for the
 * coordinator and clients over HTTP. {@code optimizer} and {@code training.epochs/batch_size} are each client's
 * local training; {@code data.train} is split among {@code federated.clients} clients by a Dirichlet(α) over labels.
 * <pre>
 * federated: {clients: 10, alpha: 0.5, rounds: 50, fraction: 1.0, min_clients: 1, aggregator: fedavg,
 *             trim: 0.1, krum_f: 1, prox_mu: 0, server_optimizer: {type: sgd, lr: 1.0}, dropout: 0,
 *             secure: false, dp: {clip_norm: 1.0, noise_multiplier: 1.0, delta: 1e-5}, round_timeout_s: 120}
 * </pre>
 */
public final class FederatedRecipe {
    private static final String[] TOP_KEYS = {"name", "seed", "task", "data", "model", "loss", "optimizer", "training", "federated"};
    private static final String[] FEDERATED_KEYS = {"clients", "alpha", "rounds", "fraction", "min_clients", "aggregator", "trim",
            "krum_f", "prox_mu", "server_optimizer", "dropout", "secure", "dp", "round_timeout_s"};

    private final Config config;
    private final Config federated;

    public FederatedRecipe(Config config) {
        this.config = config.allowOnly(TOP_KEYS);
        config.getSection("data").allowOnly("train", "test", "scale");
        config.getSection("training", Map.of()).allowOnly("epochs", "batch_size");
        this.federated = config.getSection("federated", Map.of()).allowOnly(FEDERATED_KEYS);
        Object loss = config.asMap().get("loss");
        if (loss != null && !"cross_entropy".equals(loss)) {
            throw new ConfigException("loss in " + config.where() + ": federated training supports cross_entropy (classification), got " + loss);
        }
        if (federated.has("dp") && federated.has("aggregator") && !federated.getString("aggregator").equals("fedavg")) {
            throw new ConfigException("federated.dp averages clipped updates itself; federated.aggregator must be fedavg, got "
                    + federated.getString("aggregator"));
        }
    }

    /** Overrides from the command line (null keeps the recipe's value). */
    public FederatedRecipe with(Integer clients, Double alpha, Integer rounds) {
        Map<String, Object> f = new LinkedHashMap<>(federated.asMap());
        if (clients != null) f.put("clients", clients);
        if (alpha != null) f.put("alpha", alpha);
        if (rounds != null) f.put("rounds", rounds);
        Map<String, Object> all = new LinkedHashMap<>(config.asMap());
        all.put("federated", f);
        return new FederatedRecipe(new Config(config.where(), all));
    }

    public String name() {
        return config.getString("name", "federated");
    }

    public long seed() {
        return config.getInt("seed", 0);
    }

    public int clients() {
        return federated.getInt("clients", 1, 100_000);
    }

    public int rounds() {
        return federated.getInt("rounds", 1, 1_000_000);
    }

    public double roundTimeoutSeconds() {
        return federated.getDouble("round_timeout_s", 120);
    }

    public boolean secure() {
        return federated.getBoolean("secure", false);
    }

    /** Whether data.scale fits a scaler on the training data. */
    public boolean scaled() {
        return config.getSection("data").has("scale");
    }

    public Module newModel() {
        Rng.manualSeed(seed());
        return Layers.fromConfig(config.getSection("model"));
    }

    public LocalTraining localTraining() {
        Config training = config.getSection("training", Map.of());
        return new LocalTraining(training.getInt("epochs", 1), training.getInt("batch_size", 32),
                config.getSection("optimizer", Map.of("type", "sgd", "lr", 0.05)).asMap(), federated.getDouble("prox_mu", 0),
                Loss.crossEntropy());
    }

    public ClientSampler sampler() {
        return new ClientSampler(federated.getDouble("fraction", 1), federated.getInt("min_clients", 1), seed());
    }

    public ClientDp dp() {
        if (!federated.has("dp")) return null;
        Config dp = federated.getSection("dp").allowOnly("clip_norm", "noise_multiplier", "delta");
        return new ClientDp(dp.getDouble("clip_norm"), dp.getDouble("noise_multiplier"), new SecureRandom());
    }

    public double delta() {
        return federated.has("dp") ? federated.getSection("dp").getDouble("delta", 1e-5) : 1e-5;
    }

    public FederatedServer newServer(Module model) {
        Config so = federated.getSection("server_optimizer", Map.of("type", "sgd", "lr", 1.0)).allowOnly("type", "lr");
        ServerOptimizer optimizer = ServerOptimizer.named(so.getString("type"), so.getDouble("lr", 1.0));
        Aggregator aggregator = Aggregator.named(federated.getString("aggregator", "fedavg"), federated.getDouble("trim", 0.1),
                federated.getInt("krum_f", 1));
        return new FederatedServer(FlatWeights.get(model), aggregator, optimizer, dp(), federated.getDouble("fraction", 1), clients());
    }

    /** The training set, its test set and the config.json additions (scaling fitted on the training set). */
    public record Data(TensorDataset train, TensorDataset test, Map<String, Object> extra) {}

    /**
     * Loads the data. Scaling is fitted on the union of the clients' data: a simulation shortcut; real clients
     * must agree on the scaler beforehand (its statistics are not private).
     */
    public Data data(Path dataDir) {
        Config data = config.getSection("data");
        TensorDataset train = Datasets.open(data.getString("train"), dataDir).dataset();
        TensorDataset test = data.has("test") ? Datasets.open(data.getString("test"), dataDir).dataset() : null;
        if (train.labels() == null) throw new ConfigException("data.train: federated training needs class labels; " + data.getString("train") + " has none");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("name", name());
        extra.put("task", "classification");
        int[] shape = train.x().shape();
        extra.put("input_shape", Arrays.copyOfRange(shape, 1, shape.length));
        if (train.classNames() != null) extra.put("class_names", train.classNames());
        if (data.has("scale")) {
            Scaler scaler = switch (data.getString("scale")) {
                case "standard" -> new StandardScaler();
                case "minmax" -> new MinMaxScaler(0f, 1f);
                default -> throw new ConfigException("data.scale must be standard or minmax, got '" + data.getString("scale") + "'");
            };
            scaler.fit(train.x());
            train = new TensorDataset(scaler.transform(train.x()), train.labels(), train.classNames());
            if (test != null) test = new TensorDataset(scaler.transform(test.x()), test.labels(), test.classNames());
            extra.put("preprocessing", Map.of("scaler", ModelCard.scalerJson(scaler)));
        }
        extra.put("federated", federated.asMap());
        extra.put("recipe", config.asMap());
        return new Data(train, test, extra);
    }

    /** The clients' shares of {@code train}: Dirichlet(α) over labels, seeded by the recipe's seed. */
    public List<Dataset> partitions(TensorDataset train) {
        int[][] parts = DirichletSplit.split(train.labels().data(), clients(), federated.getDouble("alpha", 0.5), seed());
        List<Dataset> out = new ArrayList<>();
        for (int[] p : parts) out.add(train.subset(p));
        return out;
    }

    /** Runs the whole simulation, prints a line per round and saves the final model to {@code outDir/model}. */
    public List<Simulation.Round> simulate(Path dataDir, Path outDir, PrintStream log) throws IOException {
        Data data = data(dataDir);
        Module model = newModel();
        FederatedServer server = newServer(model);
        List<Dataset> parts = partitions(data.train());
        log.printf("%s: %d clients (Dirichlet alpha %s), %d rounds, %s%s%s, %,d parameters%n", name(), clients(),
                federated.getDouble("alpha", 0.5), rounds(), federated.getString("aggregator", "fedavg"),
                secure() ? ", secure aggregation" : "", server.dp() != null ? ", client-level DP" : "", model.parameterCount());
        long start = System.nanoTime();
        var sim = new Simulation(model, parts, server, localTraining(), sampler(), federated.getDouble("dropout", 0), secure(), seed())
                .delta(delta());
        var history = sim.run(rounds(), data.test(), r -> log.printf("round %d/%d  clients %d/%d  test loss %.4f  accuracy %.4f%s  (%.0f s)%n",
                r.round(), rounds(), r.completed(), r.sampled(), r.testLoss(), r.testAccuracy(),
                Double.isNaN(r.epsilon()) ? "" : String.format("  epsilon %.3f (delta %s)", r.epsilon(), delta()),
                (System.nanoTime() - start) / 1e9));
        Path modelDir = outDir.resolve("model");
        FlatWeights.set(model, server.weights());
        Map<String, Object> extra = new LinkedHashMap<>(data.extra());
        if (server.dp() != null) extra.put("privacy", Map.of("epsilon", server.epsilon(delta()), "delta", delta(), "level", "client"));
        ModelDirectory.save(modelDir, model, extra);
        log.println("saved model to " + modelDir);
        return history;
    }
}
