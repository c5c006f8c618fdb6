package gradus.bench;

import gradus.kernels.Machine;
import gradus.kernels.Parallel;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.Module;
import gradus.nn.Sequential;
import gradus.prune.ChannelPruning;
import gradus.quant.Observer;
import gradus.quant.StaticQuantization;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Inference of the Fashion-MNIST CNN of PruningTest (conv 16, conv 32, linear) at batch 128, 2 threads: fp32
 * against static int8 and against the same CNN with half its conv channels removed. Contenders alternate in each
 * round; prints ms per batch (min–max over rounds) and the speed-up over fp32 within each round.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) gradus.bench.CompressedCnnBench [seconds] [rounds]
 * </pre>
 */
public final class CompressedCnnBench {
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Parallel.setThreads(2);
        System.out.println(Machine.current().describe());
        Rng.manualSeed(1);
        Sequential fp32 = new Sequential(new Conv2d(1, 16, 3, 1, 1).activation("relu"), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1).activation("relu"), new MaxPool2d(2), new Flatten(), new Linear(32 * 7 * 7, 10));
        fp32.eval();
        Tensor x = Tensor.rand(128, 1, 28, 28);
        Module int8 = StaticQuantization.quantize(fp32, List.of(x), Observer::minMax);
        Module half = ChannelPruning.prune(fp32, 0.5, ChannelPruning.Norm.L1);
        String[] names = {"fp32", "static int8", "50% channels"};
        List<Module> models = List.of(fp32, int8, half);
        double[][] ms = new double[models.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < models.size(); m++) {
                Module model = models.get(m);
                ms[m][r] = 1e3 * QuantizedKernelBench.time(seconds, () -> model.predict(x));
            }
        }
        System.out.println("Fashion-MNIST CNN, batch 128:   ms per batch   vs fp32");
        for (int m = 0; m < models.size(); m++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) ratio[r] = ms[0][r] / ms[m][r];
            System.out.printf("  %-14s %8.1f-%.1f %8.2f-%.2fx%n", names[m], Arrays.stream(ms[m]).min().orElseThrow(), Arrays.stream(ms[m]).max().orElseThrow(),
                    Arrays.stream(ratio).min().orElseThrow(), Arrays.stream(ratio).max().orElseThrow());
        }
    }
}
