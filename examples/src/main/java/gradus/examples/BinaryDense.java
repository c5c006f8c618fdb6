package gradus.examples;

import gradus.data.CsvDataset;
import gradus.data.CsvOptions;
import gradus.data.DataLoader;
import gradus.data.Split;
import gradus.data.StandardScaler;
import gradus.data.TensorDataset;
import gradus.metrics.Metric;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.nn.Sigmoid;
import gradus.optim.SGD;
import gradus.tensor.Rng;
import gradus.train.Loss;
import gradus.train.Trainer;
import gradus.train.callbacks.ProgressBar;

import java.nio.file.Path;

/** (a) One Dense(2→1) unit with a sigmoid, trained with binary cross-entropy: logistic regression. */
public final class BinaryDense {
    public static void main(String[] args) {
        Rng.manualSeed(1);
        TensorDataset all = CsvDataset.load(Path.of("examples/data/blobs.csv"), CsvOptions.classification("label"));
        var split = Split.randomSplit(all, 0.75, 1);
        var scaler = new StandardScaler().fit(split.first().x());   // statistics of the training rows only
        var train = new TensorDataset(scaler.transform(split.first().x()), split.first().labels());
        var test = new TensorDataset(scaler.transform(split.second().x()), split.second().labels());

        var model = new Sequential(new Linear(2, 1), new Sigmoid());
        var trainer = Trainer.of(model)
                .optimizer(new SGD(model.parameters(), 0.5))
                .loss(Loss.bce())
                .metrics(Metric.accuracy(0.5f))       // outputs are probabilities: class 1 above 0.5
                .callbacks(new ProgressBar(System.out, false));
        trainer.fit(DataLoader.of(train).batchSize(32).shuffle(1), DataLoader.of(test).batchSize(100), 30);
        System.out.println("weights " + model.parameters().get(0) + ", bias " + model.parameters().get(1));
    }
}
