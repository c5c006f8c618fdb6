package gradus.bench;

import gradus.autograd.GradMode;
import gradus.explain.CoalitionGame;
import gradus.explain.IntegratedGradients;
import gradus.explain.KernelShap;
import gradus.kernels.Machine;
import gradus.kernels.Parallel;
import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * The explainability targets of issue 19, timed on this machine:
 * <ul>
 *   <li>Integrated Gradients, 64 steps in one batch, on the Fashion-MNIST CNN of examples/fashion-cnn.yaml, as a
 *       multiple of one forward pass of the same single image (target ≤ 30×);</li>
 *   <li>KernelSHAP with 2,048 coalitions on a Boston-housing-sized MLP (13 → 64 → 64 → 1) with a background of
 *       100 rows, per explanation (target ≤ 1 s).</li>
 * </ul>
 * Weights and inputs are random (the time does not depend on them). Not a test: run its main
 * <pre>
 * ./mvnw -q -o test-compile -pl core
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes:$(cat cp.txt) gradus.bench.ExplainBench [repeats]
 * </pre>
 */
public final class ExplainBench {
    private ExplainBench() {}

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        System.out.println(Machine.current().describe() + ", threads " + Parallel.threads());
        Rng.manualSeed(1);
        Sequential cnn = new Sequential(new Conv2d(1, 32, 3, 1, 1).activation("relu"), new MaxPool2d(new int[]{2}, null, new int[]{0}),
                new Conv2d(32, 64, 3, 1, 1).activation("relu"), new MaxPool2d(new int[]{2}, null, new int[]{0}), new Flatten(1, -1),
                new Linear(3136, 128), new ReLU(), new Linear(128, 10));
        cnn.eval(); // the parameters require grad, as a trained model's do: IG takes input gradients only
        Tensor image = Tensor.rand(1, 1, 28, 28);
        var ig = new IntegratedGradients(cnn::forward).steps(64).batchSize(64);
        double[] forward = new double[repeats], igMs = new double[repeats], ratio = new double[repeats], cpuRatio = new double[repeats];
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = -2; r < repeats; r++) { // alternate the two, so both see the same machine load
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int k = 0; k < 10; k++) {
                try (var g = GradMode.noGrad()) {
                    cnn.forward(image);
                }
            }
            long t1 = System.nanoTime(), c1 = cpu.getCurrentThreadCpuTime();
            ig.attribute(image, 3);
            long t2 = System.nanoTime(), c2 = cpu.getCurrentThreadCpuTime();
            if (r >= 0) {
                cpuRatio[r] = (c2 - c1) / ((c1 - c0) / 10.0);
                forward[r] = (t1 - t0) / 1e7;
                igMs[r] = (t2 - t1) / 1e6;
                ratio[r] = igMs[r] / forward[r]; // paired: both timed back to back, under the same load
            }
        }
        Arrays.sort(forward);
        Arrays.sort(igMs);
        Arrays.sort(ratio);
        Arrays.sort(cpuRatio);
        System.out.printf("IG 64 steps, Fashion CNN: forward %.2f ms, IG %.1f ms (medians); paired ratio median %.1f× (range %.1f–%.1f×)%n",
                forward[repeats / 2], igMs[repeats / 2], ratio[repeats / 2], ratio[0], ratio[repeats - 1]);
        // The work itself, whatever else the machine runs: all of it is this thread's with -Dgradus.threads=1.
        System.out.printf("  same, in this thread's CPU time%s: median %.1f× (range %.1f–%.1f×)%n",
                Parallel.threads() == 1 ? "" : " (counts only the caller's share: run with -Dgradus.threads=1)",
                cpuRatio[repeats / 2], cpuRatio[0], cpuRatio[repeats - 1]);

        // The peer: the same 64 steps one path point per pass (batchSize 1), timed back to back with the batched run.
        var pointwise = new IntegratedGradients(cnn::forward).steps(64).batchSize(1);
        double[] perPoint = new double[repeats];
        for (int r = -1; r < repeats; r++) {
            long t0 = System.nanoTime();
            ig.attribute(image, 3);
            long t1 = System.nanoTime();
            pointwise.attribute(image, 3);
            long t2 = System.nanoTime();
            if (r >= 0) perPoint[r] = (double) (t2 - t1) / (t1 - t0);
        }
        Arrays.sort(perPoint);
        System.out.printf("IG 64 steps one point per pass / 64 points in one pass: paired ratio median %.2f× (range %.2f–%.2f×)%n",
                perPoint[repeats / 2], perPoint[0], perPoint[repeats - 1]);

        // One batched pass of the 64 path points, with the weights' gradients (plain backward) and without (inputGradients).
        Tensor path = Tensor.rand(64, 1, 28, 28);
        double[] plain = new double[repeats], input = new double[repeats], saved = new double[repeats];
        for (int r = -2; r < repeats; r++) {
            long t0 = System.nanoTime();
            Tensor x = Tensor.of(path.toArray(), path.shape()).requiresGrad(true);
            cnn.forward(x).narrow(1, 3, 1).sum().backward();
            cnn.zeroGrad();
            long t1 = System.nanoTime();
            Tensor x2 = Tensor.of(path.toArray(), path.shape()).requiresGrad(true);
            try (var g = GradMode.inputGradients(x2)) {
                cnn.forward(x2).narrow(1, 3, 1).sum().backward();
            }
            long t2 = System.nanoTime();
            if (r >= 0) {
                plain[r] = (t1 - t0) / 1e6;
                input[r] = (t2 - t1) / 1e6;
                saved[r] = plain[r] / input[r];
            }
        }
        Arrays.sort(plain);
        Arrays.sort(input);
        Arrays.sort(saved);
        System.out.printf("forward+backward of 64 path points: with weight gradients %.1f ms, input gradients only %.1f ms (medians); paired ratio median %.2f× (range %.2f–%.2f×)%n",
                plain[repeats / 2], input[repeats / 2], saved[repeats / 2], saved[0], saved[repeats - 1]);

        Sequential mlp = new Sequential(new Linear(13, 64), new ReLU(), new Linear(64, 64), new ReLU(), new Linear(64, 1));
        mlp.eval();
        Tensor background = Tensor.randn(100, 13), row = Tensor.randn(13);
        double[] shap = new double[repeats];
        for (int r = -2; r < repeats; r++) {
            long t0 = System.nanoTime();
            KernelShap.of(CoalitionGame.tabular(mlp::forward, row, background, 0), 13, 2048, r);
            if (r >= 0) shap[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(shap);
        System.out.printf("KernelSHAP 2048 coalitions × 100 background rows, Boston-sized MLP: %.0f ms per explanation (median; range %.0f–%.0f)%n",
                shap[repeats / 2], shap[0], shap[repeats - 1]);
    }
}
