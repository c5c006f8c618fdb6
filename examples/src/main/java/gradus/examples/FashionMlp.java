package gradus.examples;

import gradus.data.DataLoader;
import gradus.data.datasets.FashionMnist;
import gradus.io.ModelDirectory;
import gradus.metrics.Metric;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.train.Loss;
import gradus.train.Trainer;
import gradus.train.callbacks.ProgressBar;

import java.nio.file.Path;
import java.util.Map;

/** (c) MLP 784-64-64-10 on Fashion-MNIST, Keras style. Pass a data directory, or none for the usual lookup. */
public final class FashionMlp {
    public static void main(String[] args) throws Exception {
        Path dataDir = args.length > 0 ? Path.of(args[0]) : null;
        Rng.manualSeed(42);
        var train = FashionMnist.load(dataDir, "train");
        var test = FashionMnist.load(dataDir, "test");
        var model = new Sequential(
                new Flatten(),
                new Linear(784, 64), new ReLU(),
                new Linear(64, 64), new ReLU(),
                new Linear(64, 10));
        Trainer.of(model)
                .optimizer(new Adam(model.parameters(), 1e-3))
                .loss(Loss.crossEntropy())
                .metrics(Metric.accuracy())
                .callbacks(new ProgressBar())
                .fit(DataLoader.of(train).batchSize(128).shuffle(42).prefetch(2), DataLoader.of(test).batchSize(512), 10);
        ModelDirectory.save(Path.of("runs/fashion-mlp-java/model"), model,
                Map.of("task", "classification", "class_names", FashionMnist.CLASS_NAMES, "input_shape", new int[]{1, 28, 28}));
    }
}
