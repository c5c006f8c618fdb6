package gradus.explain;

import gradus.config.Config;
import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.data.datasets.FashionMnist;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.InputPerturbation;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PGD adversarial training (Madry et al. 2018) of a Fashion-MNIST MLP (the shipped sample: 2,000 training images):
 * against PGD-10 at L∞ ε = 0.1 it keeps far more of its accuracy than the same MLP trained plainly.
 */
class AdversarialTrainingTest {

    private static Sequential train(InputPerturbation adversarial) {
        Rng.manualSeed(11);
        TensorDataset train = FashionMnist.sample("train");
        Sequential model = new Sequential(new Flatten(1, -1), new Linear(784, 128), new ReLU(), new Linear(128, 10));
        var trainer = Trainer.of(model).optimizer(new Adam(model.parameters(), 2e-3)).loss(Loss.crossEntropy());
        if (adversarial != null) trainer.adversarial(adversarial);
        trainer.fit(DataLoader.of(train).batchSize(64).shuffle(1), null, 6);
        model.eval();
        return model;
    }

    @Test
    void pgdTrainingRaisesAccuracyUnderPgd() {
        TensorDataset test = FashionMnist.sample("test");
        int n = 200;
        Tensor x = test.x().narrow(0, 0, n).contiguous();
        int[] labels = Arrays.copyOf(test.labels().data(), n);
        Attack training = Attack.fromConfig(new Config("training.adversarial", Map.of("attack", "pgd", "eps", 0.1, "steps", 5)));
        Attack pgd20 = Pgd.linf(0.1f, 20);

        Sequential plain = train(null), robust = train(training);
        var before = Robustness.evaluate(plain::forward, x, labels, pgd20, 100);
        var after = Robustness.evaluate(robust::forward, x, labels, pgd20, 100);
        System.out.printf("Fashion-MNIST MLP, 200 test images, PGD-20 L∞ ε=0.1: plain training clean %.3f robust %.3f; "
                        + "PGD-5 adversarial training clean %.3f robust %.3f%n",
                before.cleanAccuracy(), before.robustAccuracy(), after.cleanAccuracy(), after.robustAccuracy());
        assertTrue(before.robustAccuracy() < 0.2, "the plainly trained MLP is fooled: " + before);
        assertTrue(after.robustAccuracy() > before.robustAccuracy() + 0.3, "robust accuracy gain: " + before + " → " + after);
        assertTrue(after.cleanAccuracy() > 0.6, "adversarial training keeps a usable clean accuracy: " + after);
    }

    @Test
    void theRecipeSectionNamesItsMistakes() {
        var pgd = (Pgd) Attack.fromConfig(new Config("training.adversarial", Map.of("eps", 0.1, "steps", 7, "range", List.of(-1, 1))));
        assertEquals(new Pgd(Pgd.Norm.LINF, 0.1f, 2.5f * 0.1f / 7, 7, true, 0, -1f, 1f), pgd);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Attack.fromConfig(new Config("training.adversarial", Map.of("attack", "cw", "eps", 0.1))));
        assertTrue(e.getMessage().contains("'attack'") && e.getMessage().contains("training.adversarial") && e.getMessage().contains("cw"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Attack.fromConfig(new Config("training.adversarial", Map.of("eps", 0.1, "range", List.of(0)))));
        assertTrue(e.getMessage().contains("'range'"), e.getMessage());
        Linear regression = new Linear(2, 2);
        Trainer trainer = Trainer.of(regression).optimizer(new Adam(regression.parameters(), 1e-3)).loss(Loss.mse()).adversarial(Pgd.linf(0.1f, 2));
        e = assertThrows(IllegalArgumentException.class, () -> trainer.trainStep(new gradus.data.Batch(Tensor.zeros(1, 2), null, Tensor.zeros(1, 2))));
        assertTrue(e.getMessage().contains("class labels"), e.getMessage());
    }
}
