package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/** Training-run directories as {@code gradus train --out} leaves them, and a Fashion-MNIST-shaped model. */
final class RunFixtures {
    static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private RunFixtures() {}

    static void appendEpoch(Path run, int epoch, double loss) throws IOException {
        Files.createDirectories(run);
        String line = String.format(java.util.Locale.ROOT, "{\"epoch\":%d,\"loss\":%.4f,\"accuracy\":%.3f,\"val_loss\":%.4f,\"val_accuracy\":%.3f,\"time\":1.0}%n",
                epoch, loss, 1 - loss / 3, loss * 1.1, 1 - loss / 2.5);
        Files.writeString(run.resolve(RunsApi.METRICS_FILE), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** A 784 → 10 linear classifier over [1, 28, 28] images, with the recipe of a run on fashion-mnist-sample. */
    static Sequential fashionModel(Path dir) throws IOException {
        Rng.manualSeed(3);
        Sequential m = new Sequential(new Flatten(), new Linear(784, 10));
        ModelDirectory.save(dir, m, Map.of("name", "fashion-linear", "task", "classification", "input_shape", List.of(1, 28, 28),
                "class_names", FASHION, "loss", "cross_entropy",
                "recipe", Map.of("name", "fashion-linear", "data", Map.of("train", "fashion-mnist-sample:train", "test", "fashion-mnist-sample:test"))));
        return m;
    }

    /** A finished run: three epochs, then the model saved (after the log, as training does). */
    static Path finishedRun(Path runs, String name) throws IOException {
        Path run = runs.resolve(name);
        for (int e = 1; e <= 3; e++) appendEpoch(run, e, 1.0 / e);
        fashionModel(run.resolve("model"));
        return run;
    }
}
