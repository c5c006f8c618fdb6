package gradus.prune;

import gradus.data.DataLoader;
import gradus.data.TensorDataset;
import gradus.data.datasets.FashionMnist;
import gradus.metrics.TopK;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/** Magnitude and channel pruning of a Fashion-MNIST MLP and CNN (the 2,000/500-image sample), fine-tuned. */
class PruningTest {
    private static TensorDataset train, test;

    @BeforeAll
    static void data() {
        train = FashionMnist.sample("train");
        test = FashionMnist.load(null, "test"); // the full set: on the 500-image sample a point is 5 images
    }

    private static Sequential mlp() {
        return new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
    }

    private static Sequential cnn() {
        return new Sequential(new Conv2d(1, 16, 3, 1, 1).activation("relu"), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1).activation("relu"), new MaxPool2d(2), new Flatten(), new Linear(32 * 7 * 7, 10));
    }

    private static void fit(Module m, int epochs, gradus.train.Callback... callbacks) {
        var t = Trainer.of(m).optimizer(new Adam(m.parameters(), 1e-3)).loss(Loss.crossEntropy());
        for (var c : callbacks) t = t.callbacks(c);
        t.fit(DataLoader.of(train).batchSize(32).shuffle(5), null, epochs);
        m.eval();
    }

    static float accuracy(Module m) {
        return 100f * TopK.correct(m.predict(test.x()), test.labels(), 1) / test.size();
    }

    /** Dense training, then 90% sparsity by the Zhu–Gupta ramp over two fine-tuning epochs (global threshold), then three more epochs at 90%. */
    private static void ninetyPercentAfterFineTuning(String name, Supplier<Sequential> make) {
        Rng.manualSeed(3);
        Sequential m = make.get();
        fit(m, 6);
        float dense = accuracy(m);
        int steps = 2000 / 32 + 1;
        GradualPruning schedule = new GradualPruning(m, 0.9, 0, 2 * steps, 10, true);
        m.train();
        fit(m, 5, schedule);
        float sparse = accuracy(m);
        double sparsity = schedule.masks().sparsity();
        String report = MagnitudePruning.sparsityReport(m);
        System.out.printf("Fashion-MNIST sample %s: dense %.1f%%, 90%% global magnitude sparsity after fine-tuning %.1f%% (measured sparsity %.3f)%n%s",
                name, dense, sparse, sparsity, report);
        assertTrue(dense >= 78, name + " must learn first: " + dense);
        assertEquals(0.9, sparsity, 1e-3);
        assertTrue(report.contains(" 90.0%"), report); // the zeros are really in the weights
        assertTrue(dense - sparse <= 1f, name + " at 90% sparsity loses " + (dense - sparse) + " points");
    }

    @Test
    void mlpAtNinetyPercentSparsity() {
        ninetyPercentAfterFineTuning("MLP", PruningTest::mlp);
    }

    @Test
    void cnnAtNinetyPercentSparsity() {
        ninetyPercentAfterFineTuning("CNN", PruningTest::cnn);
    }

    @Test
    void halfTheConvChannelsRemovedShrinksShapes() {
        Rng.manualSeed(4);
        Sequential m = cnn();
        fit(m, 6);
        float dense = accuracy(m);
        Sequential half = ChannelPruning.prune(m, 0.5, ChannelPruning.Norm.L1);
        assertArrayEquals(new int[]{8, 1, 3, 3}, ((Conv2d) half.layers().get(0)).weight().shape());
        assertArrayEquals(new int[]{16, 8, 3, 3}, ((Conv2d) half.layers().get(2)).weight().shape());
        assertArrayEquals(new int[]{10, 16 * 49}, ((Linear) half.layers().get(5)).weight().shape());
        float pruned = accuracy(half);
        half.train();
        fit(half, 4);
        float tuned = accuracy(half);
        System.out.printf("Fashion-MNIST sample CNN: dense %.1f%% (%,d parameters), half the conv channels removed %.1f%%, after 4 epochs of fine-tuning %.1f%% (%,d parameters)%n",
                dense, m.parameterCount(), pruned, tuned, half.parameterCount());
        assertTrue(dense - tuned <= 1f, "channel-pruned CNN loses " + (dense - tuned) + " points");
    }

    /** The kept channels compute exactly what they did: removing channels that are zero changes no output. */
    @Test
    void removingDeadChannelsChangesNoOutput() {
        Rng.manualSeed(9);
        Sequential m = cnn();
        m.eval();
        Conv2d first = (Conv2d) m.layers().get(0);
        float[] w = first.weight().data();
        for (int c = 0; c < 16; c += 2) { // channels 0, 2, … dead: zero weights and bias
            for (int p = 0; p < 9; p++) w[first.weight().offset() + c * 9 + p] = 0f;
            first.bias().data()[first.bias().offset() + c] = 0f;
        }
        Tensor x = train.x().narrow(0, 0, 8).contiguous();
        Sequential pruned = ChannelPruning.prune(m, 0.5, ChannelPruning.Norm.L2);
        // the second conv also lost half its channels, so compare only through the first: its outputs are the live ones
        Tensor full = first.forward(x), kept = pruned.layers().get(0).forward(x);
        for (int k = 0; k < 8; k++) assertArrayEquals(full.select(1, 2 * k + 1).toArray(), kept.select(1, k).toArray(), 0f);
    }

    @Test
    void layerWiseAndGlobalMagnitude() {
        Sequential m = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        Linear l0 = (Linear) m.layers().get(0), l2 = (Linear) m.layers().get(2);
        for (int i = 0; i < 12; i++) l0.weight().data()[l0.weight().offset() + i] = i + 1;       // 1 … 12
        for (int i = 0; i < 6; i++) l2.weight().data()[l2.weight().offset() + i] = 0.1f * (i + 1); // 0.1 … 0.6
        Masks layer = MagnitudePruning.layerWise(m, 0.5);
        assertArrayEquals(new float[]{0, 0, 0, 0, 0, 0, 7, 8, 9, 10, 11, 12}, l0.weight().toArray());
        assertArrayEquals(new float[]{0, 0, 0, 0.4f, 0.5f, 0.6f}, l2.weight().toArray(), 1e-7f);
        assertEquals(0.5, layer.sparsity(), 1e-12);
        for (int i = 0; i < 12; i++) l0.weight().data()[l0.weight().offset() + i] = i + 1;
        Masks global = MagnitudePruning.global(m, 0.5); // 9 of 18: all six of the small layer, and 1, 2, 3
        assertArrayEquals(new float[]{0, 0, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12}, l0.weight().toArray());
        assertArrayEquals(new float[6], l2.weight().toArray());
        assertEquals(2, global.tensors().size());
        assertTrue(global.tensors().containsKey("0.weight_mask"));
    }

    @Test
    void theScheduleFollowsZhuAndGupta() {
        GradualPruning g = new GradualPruning(new Sequential(new Linear(2, 2)), 0.8, 10, 110, 10, false);
        assertEquals(0, g.sparsityAt(5));
        assertEquals(0, g.sparsityAt(10));
        assertEquals(0.8 * (1 - 0.125), g.sparsityAt(60), 1e-12); // half way: s_f (1 − (1/2)³)
        assertEquals(0.8, g.sparsityAt(500), 1e-12);
    }

    @Test
    void badInputGetsClearErrors() {
        Sequential m = mlp();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.global(m, 1.0)).getMessage().contains("[0, 1)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.layerWise(m, -0.1)).getMessage().contains("[0, 1)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.global(new Sequential(new ReLU()), 0.5)).getMessage().contains("nothing to prune"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> ChannelPruning.prune(new Sequential(new Linear(4, 4), new gradus.nn.Tanh(), new Linear(4, 2)), 0.5, ChannelPruning.Norm.L1));
        assertTrue(e.getMessage().contains("layer 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(m, 0.5, 10, 10, 1, true));
    }
}
