package gradus.bench;

import gradus.kernels.Machine;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.Losses;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.optim.Adam;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

/**
 * Training steps (forward, cross-entropy, backward, Adam) of the Fashion-MNIST MLP and CNN of examples/fashion-*.yaml
 * on one fixed random batch of 128: ms per step, best and median of the rounds. Uses only public API that every
 * build has, so one compiled copy runs against the classes of two builds for an old-vs-new ratio:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp BENCH_CLASSES:CORE_CLASSES:$(cat /tmp/cp.txt) gradus.bench.TrainStepBench [mlp|cnn] [steps]
 * </pre>
 */
public final class TrainStepBench {
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "mlp";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Rng.manualSeed(42);
        Module model = which.equals("cnn")
                ? new Sequential(new Conv2d(1, 32, 3, 1, 1).activation("relu"), new MaxPool2d(2),
                        new Conv2d(32, 64, 3, 1, 1).activation("relu"), new MaxPool2d(2), new Flatten(),
                        new Linear(3136, 128), new ReLU(), new Linear(128, 10))
                : new Sequential(new Flatten(), new Linear(784, 64), new ReLU(), new Linear(64, 64), new ReLU(), new Linear(64, 10));
        Adam opt = new Adam(model.parameters(), 1e-3);
        Tensor x = Tensor.randn(128, 1, 28, 28);
        int[] y = new int[128];
        for (int i = 0; i < y.length; i++) y[i] = i % 10;
        IntTensor labels = IntTensor.of(y);
        double[] ms = new double[steps];
        for (int warm = 0; warm < steps / 3 + 3; warm++) step(model, opt, x, labels);
        for (int s = 0; s < steps; s++) {
            long t0 = System.nanoTime();
            step(model, opt, x, labels);
            ms[s] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        System.out.printf("%s: %s%n%s step ms best %.2f median %.2f%n", which, Machine.current().describe(), which, ms[0], ms[steps / 2]);
    }

    private static void step(Module model, Adam opt, Tensor x, IntTensor labels) {
        Tensor loss = Losses.crossEntropy(model.forward(x), labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
    }
}
