package gradus.examples;

import gradus.data.DataLoader;
import gradus.data.datasets.FashionMnist;
import gradus.metrics.Metric;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.train.Loss;
import gradus.train.Trainer;
import gradus.train.callbacks.ProgressBar;

import java.nio.file.Path;

/** (d) The two-conv CNN on Fashion-MNIST: 3 epochs of Adam 1e-3, batch 128. */
public final class FashionCnn {
    public static void main(String[] args) {
        Path dataDir = args.length > 0 ? Path.of(args[0]) : null;
        Rng.manualSeed(42);
        var model = new Sequential(
                // ReLU inside the convolutions: the numbers of separate ReLU layers, faster to train.
                new Conv2d(1, 32, 3, 1, 1).activation("relu"), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1).activation("relu"), new MaxPool2d(2),
                new Flatten(),
                new Linear(3136, 128), new ReLU(),
                new Linear(128, 10));
        var history = Trainer.of(model)
                .optimizer(new Adam(model.parameters(), 1e-3))
                .loss(Loss.crossEntropy())
                .metrics(Metric.accuracy())
                .callbacks(new ProgressBar())
                .fit(DataLoader.of(FashionMnist.load(dataDir, "train")).batchSize(128).shuffle(42).prefetch(2),
                        DataLoader.of(FashionMnist.load(dataDir, "test")).batchSize(512), 3);
        System.out.printf("test accuracy %.4f%n", history.last().get("val_accuracy"));
    }
}
