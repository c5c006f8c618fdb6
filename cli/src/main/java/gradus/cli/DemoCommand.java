package gradus.cli;

import gradus.config.Config;
import gradus.data.datasets.Datasets;
import gradus.io.ModelDirectory;
import gradus.train.Evaluation;
import gradus.recipe.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", description = "Train the Fashion-MNIST MLP on the bundled sample, evaluate it, save it and predict.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "RUN_DIR")
    Path out;

    @Option(names = "--epochs", defaultValue = "15")
    int epochs;

    @Override
    public Integer call() throws Exception {
        System.out.println("Gradus demo: an MLP (784-64-64-10, ReLU, Adam 1e-3, batch 128) on the bundled Fashion-MNIST sample");
        System.out.println("(2,000 training and 500 test images; the full set is one `./gradus train examples/fashion-mlp.yaml` away).\n");
        Map<String, Object> recipe = Map.of(
                "name", "demo",
                "seed", 42,
                "data", Map.of("train", "fashion-mnist-sample:train", "validation", "fashion-mnist-sample:test"),
                "model", Map.of("type", "Sequential", "layers", List.of(
                        Map.of("type", "Flatten"),
                        Map.of("type", "Linear", "in", 784, "out", 64), Map.of("type", "ReLU"),
                        Map.of("type", "Linear", "in", 64, "out", 64), Map.of("type", "ReLU"),
                        Map.of("type", "Linear", "in", 64, "out", 10))),
                "loss", "cross_entropy",
                "optimizer", Map.of("type", "adam", "lr", 0.001),
                "training", Map.of("epochs", epochs, "batch_size", 128, "metrics", List.of("accuracy")));
        var result = new Recipe(new Config("demo", recipe)).run(new Recipe.Options(out, null, null, null, false, System.out));

        System.out.println("\nEvaluation on the 500 test images:\n");
        var loaded = ModelDirectory.load(result.modelDir());
        var test = Datasets.openFor("fashion-mnist-sample:test", null, loaded.card().classNames(), loaded.card().scaler());
        EvalCommand.print(Evaluation.run(loaded.model(), loaded.card(), test, 256));

        System.out.println("\nA few predictions (./gradus predict " + result.modelDir() + " fashion-mnist-sample:test#0 …):");
        String[] inputs = {"fashion-mnist-sample:test#0", "fashion-mnist-sample:test#1", "fashion-mnist-sample:test#2",
                "fashion-mnist-sample:test#3", "fashion-mnist-sample:test#4"};
        PredictCommand predict = new PredictCommand();
        predict.modelDir = result.modelDir();
        predict.inputs = List.of(inputs);
        predict.top = 2;
        predict.call();
        System.out.println("\nNext: ./gradus info " + result.modelDir() + "   |   ./gradus eval " + result.modelDir()
                + " --data fashion-mnist-sample:test --json");
        return 0;
    }
}
