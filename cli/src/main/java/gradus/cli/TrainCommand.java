package gradus.cli;

import gradus.recipe.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train", description = "Train a model from a YAML recipe (see examples/).")
final class TrainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG.yaml", description = "The training recipe.")
    Path config;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "Output directory (default: runs/<name>). Gets model/, metrics.jsonl and TensorBoard event files.")
    Path out;

    @Option(names = "--epochs", description = "Override training.epochs (refused for a recipe that trains by training.steps: use --steps).")
    Integer epochs;

    @Option(names = "--steps", description = "Stop after N optimizer steps: overrides training.steps and training.epochs "
            + "(with --epochs too, training ends at whichever comes first).")
    Integer steps;

    @Option(names = "--seed", description = "Override the seed.")
    Long seed;

    @Mixin DataDirOption dataDir;

    @Option(names = "--resume", paramLabel = "MODEL_DIR", description = "Continue a run from its saved model directory (weights, optimizer state, epoch) up to the recipe's epochs: "
            + "RUN_DIR/model (saved every N epochs with training.checkpoint.every: N) or RUN_DIR/best. With the same --out, metrics.jsonl goes on from that epoch.")
    Path resume;

    @Option(names = "--no-progress", description = "No live progress bar (one line per epoch only).")
    boolean noProgress;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Train data-parallel on Apache Spark: local[N], local-cluster[N,C,MB], "
            + "spark://host:7077, k8s://… (needs the gradus-spark module on the class path: ./gradus builds it for --spark). "
            + "Same outputs as a local run; on a cluster RUN_DIR and the data must be on a file system every executor reads.")
    String spark;

    @Option(names = "--workers", paramLabel = "N", description = "With --spark: replicas (barrier tasks), each on 1/N of every batch "
            + "(default: the master's task slots, e.g. N of local[N]).")
    Integer workers;

    @Override
    public Integer call() throws Exception {
        var yaml = Yaml.read(config);
        Recipe recipe = new Recipe(yaml);
        Path runDir = out != null ? out : Path.of("runs", recipe.name());
        var options = new Recipe.Options(runDir, dataDir.dir, epochs, seed, !noProgress, System.out, resume, steps);
        if (spark != null) SparkTraining.run(yaml.asMap(), options, spark, workers);
        else if (workers != null) throw new IllegalArgumentException("--workers applies to data-parallel training: give --spark MASTER too");
        else recipe.run(options);
        return 0;
    }
}
