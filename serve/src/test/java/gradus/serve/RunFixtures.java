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

    /** A step record as MetricsLog writes them between epoch lines. */
    static void appendStep(Path run, int step, int epoch, double loss, double lr) throws IOException {
        Files.createDirectories(run);
        String line = String.format(java.util.Locale.ROOT, "{\"step\":%d,\"epoch\":%d,\"loss\":%.4f,\"lr\":%s,\"time\":1.0}%n", step, epoch, loss, lr);
        Files.writeString(run.resolve(RunsApi.METRICS_FILE), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * A finished steps-based language-model run as {@code gradus train examples/moby-gpt.yaml} leaves it: {@code steps}
     * step records with a warm-up learning rate, one epoch line, thousands of samples a second, a model of task language_model.
     */
    static Path languageModelRun(Path runs, String name, int steps) throws IOException {
        Path run = runs.resolve(name);
        for (int s = 1; s <= steps; s++) appendStep(run, s, 1, 4.0 * Math.exp(-s / 40.0) + 1.5, 3e-4 * Math.min(1, s / 10.0));
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunsApi.METRICS_FILE), String.format(java.util.Locale.ROOT,
                "{\"epoch\":1,\"loss\":%.4f,\"val_loss\":1.9,\"lr\":0.0003,\"seconds\":184.5,\"samples_per_s\":22345.6,\"time\":2.0}%n",
                4.0 * Math.exp(-steps / 80.0) + 1.5), StandardOpenOption.APPEND);
        Rng.manualSeed(4);
        ModelDirectory.save(run.resolve("model"), new Sequential(new Linear(4, 4)), Map.of("name", name, "task", "language_model"));
        return run;
    }

    /** A finished run: three epochs, then the model saved (after the log, as training does). */
    static Path finishedRun(Path runs, String name) throws IOException {
        Path run = runs.resolve(name);
        for (int e = 1; e <= 3; e++) appendEpoch(run, e, 1.0 / e);
        fashionModel(run.resolve("model"));
        return run;
    }
}
