package gradus.bench;

import gradus.data.Batch;
import gradus.kernels.Machine;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.SGD;
import gradus.privacy.DpSgd;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.train.Loss;
import gradus.train.Trainer;

import java.util.Arrays;

/**
 * A DP-SGD step (per-sample clipping, noise) next to an ordinary step of the same model on the same batch, one
 * after the other in every round so both see the same machine load: the CNN of examples/fashion-cnn.yaml and
 * that of examples/fashion-dp.yaml, on a fixed random batch. Prints ms per step (best, median) and the ratio.
 * <pre>bench/dp-sgd.sh [cnn|dp-cnn] [BATCH=256] [ROUNDS=20]</pre>
 */
public final class DpSgdBench {
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "cnn";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 256, rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Rng.manualSeed(42);
        Module plainModel = model(which);
        Rng.manualSeed(42);
        Module dpModel = model(which);
        Trainer plain = Trainer.of(plainModel).optimizer(new SGD(plainModel.parameters(), 0.01)).loss(Loss.crossEntropy());
        DpSgd dp = DpSgd.builder(dpModel).noiseMultiplier(1.0).maxGradNorm(1.0).sampling(batch, 60000).build();
        Trainer priv = Trainer.of(dpModel).optimizer(new SGD(dpModel.parameters(), 0.01)).loss(Loss.crossEntropy()).privacy(dp);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = i % 10;
        Batch b = new Batch(Tensor.randn(batch, 1, 28, 28), IntTensor.of(y, batch), null);
        for (int warm = 0; warm < 3; warm++) {
            plain.trainStep(b);
            priv.trainStep(b);
        }
        double[] p = new double[rounds], d = new double[rounds], ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            plain.trainStep(b);
            long t1 = System.nanoTime();
            priv.trainStep(b);
            long t2 = System.nanoTime();
            p[r] = (t1 - t0) / 1e6;
            d[r] = (t2 - t1) / 1e6;
            ratio[r] = d[r] / p[r];
        }
        Arrays.sort(p);
        Arrays.sort(d);
        Arrays.sort(ratio);
        System.out.println(Machine.current().describe());
        System.out.printf("%s batch %d, %d rounds interleaved: normal step ms best %.1f median %.1f | DP-SGD step ms best %.1f median %.1f%n",
                which, batch, rounds, p[0], p[rounds / 2], d[0], d[rounds / 2]);
        System.out.printf("DP/normal: ratio of medians %.2f, ratio of bests %.2f, per-round ratios %.2f..%.2f (median %.2f)%n",
                d[rounds / 2] / p[rounds / 2], d[0] / p[0], ratio[0], ratio[rounds - 1], ratio[rounds / 2]);
    }

    static Module model(String which) {
        return which.equals("dp-cnn")
                ? new Sequential(new Conv2d(1, 16, 8, 2, 3), new gradus.nn.Tanh(), new MaxPool2d(2, 1),
                        new Conv2d(16, 32, 4, 2, 0), new gradus.nn.Tanh(), new MaxPool2d(2, 1), new Flatten(),
                        new Linear(512, 32), new gradus.nn.Tanh(), new Linear(32, 10))
                : new Sequential(new Conv2d(1, 32, 3, 1, 1).activation("relu"), new MaxPool2d(2),
                        new Conv2d(32, 64, 3, 1, 1).activation("relu"), new MaxPool2d(2), new Flatten(),
                        new Linear(3136, 128), new ReLU(), new Linear(128, 10));
    }
}
