package gradus.cli;

import gradus.kernels.Parallel;
import gradus.kernels.Machine;
import gradus.federated.FederatedRecipe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "federated", description = "Federated learning: an in-process simulation, or a coordinator and clients over HTTP.",
        subcommands = {FederatedCommand.Simulate.class, FederatedCoordinatorCommand.class, FederatedClientCommand.class})
final class FederatedCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(name = "simulate", description = {"N clients in one process, each with a Dirichlet(alpha) share of data.train;",
            "prints the test accuracy per round and saves the final model to OUT/model."})
    static final class Simulate implements Callable<Integer> {
        @Parameters(paramLabel = "RECIPE.yaml", description = "A training recipe with a federated: section (see docs/privacy.md).")
        Path recipe;

        @Option(names = "--clients", description = "Override federated.clients.")
        Integer clients;

        @Option(names = "--alpha", description = "Override federated.alpha (Dirichlet concentration of the label split).")
        Double alpha;

        @Option(names = "--rounds", description = "Override federated.rounds.")
        Integer rounds;

        @Option(names = "--out", paramLabel = "RUN_DIR", description = "Output directory (default: runs/<name>).")
        Path out;

        @Mixin DataDirOption dataDir;

        @Override
        public Integer call() throws Exception {
            FederatedRecipe r = new FederatedRecipe(Yaml.read(recipe)).with(clients, alpha, rounds);
            System.out.println("machine: " + Machine.current().describe() + "; " + Parallel.threads() + " threads");
            r.simulate(dataDir.dir, out != null ? out : Path.of("runs", r.name()), System.out);
            return 0;
        }
    }
}
