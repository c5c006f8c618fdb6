package gradus.cli;

import gradus.federated.FederatedRecipe;
import gradus.federated.FlatWeights;
import gradus.federated.RoundCoordinator;
import gradus.federated.Simulation;
import gradus.io.ModelDirectory;
import gradus.nn.Module;
import gradus.serve.FederatedCoordinator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "coordinator", description = {"Runs the rounds of a federated recipe for clients in other processes",
        "(gradus federated client), over HTTP; saves the final model to OUT/model."})
final class FederatedCoordinatorCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RECIPE.yaml", description = "The recipe: model, federated: section; data.test (optional) is evaluated every round.")
    Path recipe;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8470", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--rounds", description = "Override federated.rounds.")
    Integer rounds;

    @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the bearer token every client must send.")
    Path tokenFile;

    @Option(names = "--enrolment-s", defaultValue = "600", description = "How long to wait for federated.min_clients clients to join (default ${DEFAULT-VALUE}).")
    int enrolmentSeconds;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "Output directory (default: runs/<name>).")
    Path out;

    @Mixin DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        FederatedRecipe r = new FederatedRecipe(Yaml.read(recipe)).with(null, null, rounds);
        String token = tokenFile == null ? null : Files.readString(tokenFile).strip();
        Module model = r.newModel();
        var server = r.newServer(model);
        var data = r.data(dataDir.dir);
        var coordinator = new RoundCoordinator(server, r.sampler(), r.rounds(), Duration.ofMillis((long) (r.roundTimeoutSeconds() * 1000)), r.secure());
        try (var http = new FederatedCoordinator(coordinator, token).start(host, port, null)) {
            System.out.printf("%s: coordinating %d rounds%s on http://%s:%d (waiting for %d clients)%n", r.name(), r.rounds(),
                    r.secure() ? " with secure aggregation" : "", host, http.port(), r.sampler().minimum());
            System.out.flush();
            coordinator.run(Duration.ofSeconds(enrolmentSeconds), rep -> {
                String test = "";
                if (data.test() != null) {
                    FlatWeights.set(model, coordinator.weights());
                    test = String.format("  test accuracy %.4f", Simulation.evaluate(model, data.test()).get("accuracy"));
                }
                String eps = server.dp() == null ? "" : String.format("  epsilon %.3f", server.epsilon(r.delta()));
                System.out.printf("round %d/%d  clients %d/%d%s%s  (%.1f s)%n", rep.round(), r.rounds(), rep.answered().size(),
                        rep.sampled().size(), test, eps, rep.seconds());
                System.out.flush();
            });
        }
        FlatWeights.set(model, coordinator.weights());
        Path modelDir = (out != null ? out : Path.of("runs", r.name())).resolve("model");
        Map<String, Object> extra = new LinkedHashMap<>(data.extra());
        if (server.dp() != null) extra.put("privacy", Map.of("epsilon", server.epsilon(r.delta()), "delta", r.delta(), "level", "client"));
        ModelDirectory.save(modelDir, model, extra);
        System.out.println("saved model to " + modelDir);
        return 0;
    }
}
