package gradus.io.onnx;

import gradus.nn.BatchNorm2d;
import gradus.nn.Conv2d;
import gradus.nn.ConvTranspose2d;
import gradus.nn.GlobalAvgPool2d;
import gradus.nn.GroupNorm;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.nn.Upsample;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image layers exported to ONNX give ONNX Runtime the outputs Gradus computes. */
class ImageLayersOnnxTest {
    @TempDir
    Path dir;

    private void assertSameOutputs(Module model, int[] inputShape, Tensor... batches) throws Exception {
        model.eval();
        Path file = dir.resolve("model.onnx");
        Onnx.export(model, inputShape, file);
        OnnxChecker.assertValid(file);
        try (OrtRunner ort = new OrtRunner(Files.readAllBytes(file), 1)) {
            for (Tensor x : batches) {
                float diff = OrtRunner.maxAbsDiff(model.predict(x), ort.run(Map.of("input", x)));
                assertTrue(diff <= 1e-4f, "batch " + x.size(0) + ": max |Gradus - ONNX Runtime| = " + diff);
            }
        }
    }

    @Test
    void groupedDepthwiseAndGlobalPoolingRunInOnnxRuntime() throws Exception {
        Rng.manualSeed(5);
        Module m = new Sequential(new Conv2d(2, 4, 3, 1, 1), new GroupNorm(2, 4), new ReLU(),
                new Conv2d(4, 4, new int[]{3}, new int[]{2}, new int[]{1}, new int[]{1}, true, 4),
                new Conv2d(4, 6, new int[]{1}, new int[]{1}, new int[]{0}, new int[]{1}, false, 2), new BatchNorm2d(6),
                new GlobalAvgPool2d(), new Linear(6, 3));
        assertSameOutputs(m, new int[]{-1, 2, 8, 8}, Tensor.randn(3, 2, 8, 8), Tensor.randn(1, 2, 8, 8));
    }

    @Test
    void transposedConvolutionAndUpsamplingRunInOnnxRuntime() throws Exception {
        Rng.manualSeed(6);
        Module m = new Sequential(new ConvTranspose2d(3, 4, new int[]{3}, new int[]{2}, new int[]{1}, new int[]{1}, new int[]{1}, true),
                new Upsample(2, Upsample.Mode.NEAREST), new Conv2d(4, 2, 3, 1, 1), new Upsample(2, Upsample.Mode.BILINEAR),
                new Upsample(new int[]{3}, Upsample.Mode.BILINEAR, true));
        assertSameOutputs(m, new int[]{-1, 3, 4, 5}, Tensor.randn(2, 3, 4, 5));
    }
}
