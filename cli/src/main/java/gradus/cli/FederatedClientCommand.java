package gradus.cli;

import gradus.data.Dataset;
import gradus.data.datasets.Datasets;
import gradus.federated.FederatedClient;
import gradus.federated.FederatedRecipe;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "client", description = {"A federated client: trains the recipe's model on its own data for a coordinator",
        "(gradus federated coordinator) until the run is done. Only weight updates leave this process."})
final class FederatedClientCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RECIPE.yaml", description = "The same recipe the coordinator runs (model, optimizer, training).")
    Path recipe;

    @Option(names = "--coordinator", required = true, paramLabel = "URL", description = "The coordinator, e.g. http://host:8470.")
    URI coordinator;

    @Option(names = "--name", required = true, description = "This client's name, unique among the clients.")
    String name;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--data", paramLabel = "SPEC", description = "This client's training data (a data set spec or CSV file).")
        String data;

        @Option(names = "--partition", paramLabel = "I", description = "For experiments: client I's Dirichlet share of the recipe's data.train.")
        Integer partition;
    }

    @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the coordinator's bearer token.")
    Path tokenFile;

    @Mixin DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        FederatedRecipe r = new FederatedRecipe(Yaml.read(recipe));
        Dataset data;
        if (source.partition != null) {
            if (source.partition < 0 || source.partition >= r.clients()) {
                throw new IllegalArgumentException("--partition " + source.partition + " is not in 0.." + (r.clients() - 1) + " (federated.clients)");
            }
            data = r.partitions(r.data(dataDir.dir).train()).get(source.partition);
        } else {
            if (r.scaled()) {
                throw new IllegalArgumentException(recipe + ": data.scale fits a scaler on the whole data.train, which a client with --data "
                        + "does not have; remove data.scale or use --partition");
            }
            data = Datasets.open(source.data, dataDir.dir).dataset();
        }
        String token = tokenFile == null ? null : Files.readString(tokenFile).strip();
        System.out.printf("%s: %,d examples, coordinator %s%n", name, data.size(), coordinator);
        System.out.flush();
        int rounds = new FederatedClient(coordinator, name, token, r.newModel(), data, r.localTraining()).run(System.out);
        System.out.printf("%s: done after training in %d rounds%n", name, rounds);
        return 0;
    }
}
