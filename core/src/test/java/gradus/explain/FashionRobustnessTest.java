package gradus.explain;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.data.datasets.FashionMnist;
import gradus.metrics.Metric;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An MLP trained on Fashion-MNIST (the shipped sample: the first 2,000 training and 500 test images) is fooled
 * by FGSM and more by PGD; its saliency maps pass the model-randomization sanity check.
 */
class FashionRobustnessTest {
    static Sequential model;
    static Tensor x;
    static int[] labels;
    static double cleanAccuracy;

    @BeforeAll
    static void train() {
        Rng.manualSeed(11);
        TensorDataset train = FashionMnist.sample("train"), test = FashionMnist.sample("test");
        model = new Sequential(new Flatten(1, -1), new Linear(784, 128), new ReLU(), new Linear(128, 10));
        var trainer = Trainer.of(model).optimizer(new Adam(model.parameters(), 2e-3)).loss(Loss.crossEntropy()).metrics(Metric.accuracy());
        trainer.fit(DataLoader.of(train).batchSize(64).shuffle(1), null, 6);
        model.eval();
        int n = 200;
        x = test.x().narrow(0, 0, n).contiguous();
        labels = java.util.Arrays.copyOf(test.labels().data(), n);
        cleanAccuracy = trainer.evaluate(DataLoader.of(test).batchSize(250)).get("accuracy");
    }

    @Test
    void fgsmAndPgdLowerAccuracyAndStayInTheBall() {
        assertTrue(cleanAccuracy > 0.75, "clean test accuracy " + cleanAccuracy);
        float eps = 0.1f;
        var fgsm = Robustness.evaluate(model::forward, x, labels, new Fgsm(eps, 0f, 1f), 100);
        var pgd = Robustness.evaluate(model::forward, x, labels, Pgd.linf(eps, 10), 100);
        var pgdL2 = Robustness.evaluate(model::forward, x, labels,
                new Pgd(Pgd.Norm.L2, 1.5f, 0.3f, 10, true, 4, 0f, 1f), 100);
        System.out.printf("Fashion-MNIST MLP, 200 test images: clean %.3f, FGSM(0.1) %.3f, PGD-10 Linf(0.1) %.3f, PGD-10 L2(1.5) %.3f%n",
                fgsm.cleanAccuracy(), fgsm.robustAccuracy(), pgd.robustAccuracy(), pgdL2.robustAccuracy());
        assertTrue(fgsm.robustAccuracy() < fgsm.cleanAccuracy() - 0.3, "FGSM: " + fgsm);
        assertTrue(pgd.robustAccuracy() <= fgsm.robustAccuracy(), "PGD " + pgd + " vs FGSM " + fgsm);
        assertTrue(pgdL2.robustAccuracy() < pgdL2.cleanAccuracy() - 0.3, "PGD L2: " + pgdL2);
        assertTrue(fgsm.maxLinf() <= eps + 1e-6 && pgd.maxLinf() <= eps + 1e-6, fgsm.maxLinf() + " " + pgd.maxLinf());

        Tensor adv = Pgd.linf(eps, 10).perturb(model::forward, x.narrow(0, 0, 20).contiguous(), java.util.Arrays.copyOf(labels, 20));
        assertTrue(adv.min().item() >= 0f && adv.max().item() <= 1f, "adversarial images stay in [0, 1]");
        Tensor advL2 = new Pgd(Pgd.Norm.L2, 1.5f, 0.3f, 10, true, 4, 0f, 1f).perturb(model::forward, x.narrow(0, 0, 20).contiguous(), java.util.Arrays.copyOf(labels, 20));
        Tensor d = advL2.sub(x.narrow(0, 0, 20)).reshape(20, -1);
        float[] norms = d.pow(2f).sum(1).sqrt().toArray();
        for (float norm : norms) assertTrue(norm <= 1.5f + 1e-4, "L2 norm " + norm);
        assertArrayEquals(adv.toArray(), Pgd.linf(eps, 10).perturb(model::forward, x.narrow(0, 0, 20).contiguous(),
                java.util.Arrays.copyOf(labels, 20)).toArray(), "seeded random start");
    }

    @Test
    void theQueryOnlySquareAttackFoolsTheModelWithoutGradients() {
        java.util.function.UnaryOperator<Tensor> outputsOnly = t -> { // no graph: a gradient request would fail
            try (var g = gradus.autograd.GradMode.noGrad()) {
                return model.forward(t);
            }
        };
        var square = Robustness.evaluate(outputsOnly, x, labels, SquareAttack.linf(0.1f, 1000), 100);
        System.out.printf("Square Attack (1000 queries, eps 0.1): %.3f, clean %.3f%n", square.robustAccuracy(), square.cleanAccuracy());
        assertTrue(square.robustAccuracy() < square.cleanAccuracy() - 0.2, square.toString());
        assertTrue(square.maxLinf() <= 0.1f + 1e-6, "in the ball: " + square.maxLinf());
        assertThrows(IllegalArgumentException.class, () -> Saliency.saliency(outputsOnly, x.narrow(0, 0, 1), 0), "no gradients there");
    }

    @Test
    void saliencyPassesTheModelRandomizationCheckAndTheInputItselfFails() {
        Tensor image = x.narrow(0, 0, 1).contiguous();
        int target = labels[0];
        float[] before = model.namedParameters().get("3.weight").toArray();
        List<SanityCheck.Step> saliency = SanityCheck.modelRandomization(model, m -> Saliency.saliency(m::forward, image, target), 3);
        List<SanityCheck.Step> input = SanityCheck.modelRandomization(model, m -> image, 3);
        assertArrayEquals(before, model.namedParameters().get("3.weight").toArray(), "weights restored");
        assertEquals(List.of("3.bias", "3.weight", "1.bias", "1.weight"), saliency.stream().map(SanityCheck.Step::parameter).toList());
        SanityCheck.Step all = saliency.get(saliency.size() - 1);
        System.out.println("sanity check, saliency after randomizing every layer: spearman(|a|) = " + all.spearmanAbs());
        assertTrue(Math.abs(all.spearman()) < 0.5 && all.spearmanAbs() < 0.6, all.toString());
        for (SanityCheck.Step s : input) assertEquals(1.0, s.spearman(), 1e-12, "the input does not depend on the weights");
    }

    @Test
    void spearmanMatchesScipy() {
        // ranks with ties at their mean: [1, 2.5, 2.5, 5, 4] and [2, 1, 3.5, 3.5, 5]; their Pearson correlation is 23/38
        assertEquals(23.0 / 38, SanityCheck.spearman(new float[]{1, 2, 2, 5, 3}, new float[]{2, 1, 4, 4, 9}), 1e-12);
    }
}
