package gradus.examples;

import gradus.data.DataLoader;
import gradus.data.datasets.Boston;
import gradus.metrics.Metric;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.train.Loss;
import gradus.train.Trainer;
import gradus.train.callbacks.ProgressBar;

/** (e) Regression with MSE on Boston house prices; reports R² on the held-out 20%. */
public final class BostonRegression {
    public static void main(String[] args) {
        Rng.manualSeed(3);
        var train = Boston.open("train", null).dataset();   // standardized with train statistics
        var test = Boston.open("test", null).dataset();
        var model = new Sequential(new Linear(13, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1));
        var trainer = Trainer.of(model)
                .optimizer(new Adam(model.parameters(), 0.003, 0.9, 0.999, 1e-8, 1e-4, false))
                .loss(Loss.mse())
                .metrics(Metric.mse(), Metric.mae(), Metric.r2())
                .callbacks(new ProgressBar(System.out, false));
        trainer.fit(DataLoader.of(train).batchSize(32).shuffle(3), null, 150);
        var result = trainer.evaluate(DataLoader.of(test).batchSize(128));
        System.out.printf("test mse %.2f  mae %.2f  R² %.3f%n", result.get("mse"), result.get("mae"), result.get("r2"));
    }
}
