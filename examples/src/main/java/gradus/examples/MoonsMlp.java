package gradus.examples;

import gradus.data.Batch;
import gradus.data.CsvDataset;
import gradus.data.CsvOptions;
import gradus.data.DataLoader;
import gradus.data.Split;
import gradus.data.StandardScaler;
import gradus.data.TensorDataset;
import gradus.nn.Linear;
import gradus.nn.Losses;
import gradus.nn.Sequential;
import gradus.nn.Tanh;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.nio.file.Path;

/** (b) A 2-10-1 MLP on two half-moons with BCE-with-logits and Adam, as a plain PyTorch-style loop. */
public final class MoonsMlp {
    public static void main(String[] args) {
        Rng.manualSeed(1);
        TensorDataset all = CsvDataset.load(Path.of("examples/data/moons.csv"), CsvOptions.classification("label"));
        var split = Split.randomSplit(all, 0.75, 1);
        var scaler = new StandardScaler().fit(split.first().x());
        var train = new TensorDataset(scaler.transform(split.first().x()), split.first().labels());
        var test = new TensorDataset(scaler.transform(split.second().x()), split.second().labels());

        var model = new Sequential(new Linear(2, 10), new Tanh(), new Linear(10, 1));
        var opt = new Adam(model.parameters(), 0.02);
        var loader = DataLoader.of(train).batchSize(32).shuffle(1);
        for (int epoch = 0; epoch < 60; epoch++) {
            for (Batch b : loader) {
                Tensor logits = model.forward(b.x()).squeeze(1);
                Tensor loss = Losses.bceWithLogits(logits, b.labels().toFloat());
                opt.zeroGrad();
                loss.backward();
                opt.step();
            }
        }
        model.eval();
        float[] logits = model.predict(test.x()).toArray();
        int[] y = test.labels().data();
        int correct = 0;
        for (int i = 0; i < y.length; i++) if ((logits[i] > 0 ? 1 : 0) == y[i]) correct++;
        System.out.printf("test accuracy %.3f on %d points%n", (double) correct / y.length, y.length);
    }
}
