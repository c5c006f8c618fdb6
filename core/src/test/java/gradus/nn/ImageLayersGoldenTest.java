package gradus.nn;

import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static gradus.nn.ImageLayersGolden.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The image layers' outputs and gradients against PyTorch (tools/golden/image_layers_golden.py), on the fast and reference paths. */
class ImageLayersGoldenTest {
    private static final float TOL = 2e-5f;

    /**
     * Runs {@code layer} on seq(0.37, 0.1, 1) of xShape with its parameters set to the script's patterns, probes the
     * output with seq(0.91, 0.3, 1), and compares output, input gradient and parameter gradients.
     */
    private static void check(Module layer, int[] xShape, List<Tensor> params, float[] out, float[] gx, float[]... gp) {
        for (int i = 0; i < params.size(); i++) params.get(i).copyFrom(NnGoldenTest.seq(0.73 + 0.1 * i, 0.5, 0.5, params.get(i).shape()));
        for (boolean float64 : new boolean[]{false, true}) {
            Tensor x = NnGoldenTest.seq(0.37, 0.1, 1.0, xShape);
            if (float64) x = x.to(gradus.tensor.DType.FLOAT64); // the reference backend, running the composites
            x.requiresGrad(true);
            List<Tensor> ps = float64 ? params.stream().map(p -> p.detach().to(gradus.tensor.DType.FLOAT64).requiresGrad(true)).toList() : params;
            for (Tensor p : params) p.zeroGrad();
            Tensor y = float64 ? runWith(layer, params, ps, x) : layer.forward(x);
            assertArrayEquals(out, y.to(gradus.tensor.DType.FLOAT32).toArray(), TOL, "output, float64 " + float64);
            y.mul(NnGoldenTest.seq(0.91, 0.3, 1.0, y.shape()).to(y.dtype())).sum().backward();
            assertArrayEquals(gx, x.grad().to(gradus.tensor.DType.FLOAT32).toArray(), TOL, "input gradient, float64 " + float64);
            for (int i = 0; i < gp.length; i++) {
                assertArrayEquals(gp[i], ps.get(i).grad().to(gradus.tensor.DType.FLOAT32).toArray(), TOL, "parameter " + i + " gradient, float64 " + float64);
            }
        }
    }

    /** The layer's functional form with float64 copies of its parameters. */
    private static Tensor runWith(Module layer, List<Tensor> params, List<Tensor> ps, Tensor x) {
        Function<Integer, Tensor> p = i -> ps.get(i);
        return switch (layer) {
            case ConvTranspose2d c -> {
                var cfg = c.config();
                yield F.convTranspose2d(x, p.apply(0), p.apply(1), ints(cfg.get("stride")), ints(cfg.get("padding")),
                        ints(cfg.get("output_padding")), ints(cfg.get("dilation")));
            }
            case Conv2d c -> {
                var cfg = c.config();
                yield F.conv2d(x, p.apply(0), p.apply(1), ints(cfg.get("stride")), ints(cfg.get("padding")), ints(cfg.get("dilation")),
                        false, (Integer) cfg.get("groups"));
            }
            case GroupNorm g -> F.groupNorm(x, (Integer) g.config().get("groups"), p.apply(0), p.apply(1), 1e-5f);
            default -> layer.forward(x);
        };
    }

    private static int[] ints(Object size) {
        if (size instanceof Integer i) return new int[]{i};
        return ((List<?>) size).stream().mapToInt(v -> (Integer) v).toArray();
    }

    private static List<Tensor> weights(Module m) {
        return List.of(m.stateDict().get("weight"), m.stateDict().get("bias"));
    }

    @Test
    void convTranspose2dStride2Padding1OutputPadding1() {
        var c = new ConvTranspose2d(3, 2, new int[]{3}, new int[]{2}, new int[]{1}, new int[]{1}, new int[]{1}, true);
        check(c, new int[]{2, 3, 4, 4}, weights(c), CONVT_A_OUT, CONVT_A_GX, CONVT_A_G0, CONVT_A_G1);
    }

    @Test
    void convTranspose2dRectangularDilated() {
        var c = new ConvTranspose2d(2, 3, new int[]{2, 3}, new int[]{1, 2}, new int[]{0, 1}, new int[]{0}, new int[]{2, 1}, true);
        check(c, new int[]{1, 2, 3, 5}, weights(c), CONVT_B_OUT, CONVT_B_GX, CONVT_B_G0, CONVT_B_G1);
    }

    @Test
    void groupedConv2d() {
        var c = new Conv2d(4, 6, new int[]{3}, new int[]{1}, new int[]{1}, new int[]{1}, true, 2);
        check(c, new int[]{2, 4, 5, 5}, weights(c), GROUPED_OUT, GROUPED_GX, GROUPED_G0, GROUPED_G1);
    }

    @Test
    void depthwiseConv2dStride2() {
        var c = new Conv2d(4, 4, new int[]{3}, new int[]{2}, new int[]{1}, new int[]{1}, true, 4);
        check(c, new int[]{2, 4, 5, 5}, weights(c), DEPTHWISE_OUT, DEPTHWISE_GX, DEPTHWISE_G0, DEPTHWISE_G1);
    }

    @Test
    void upsampleNearest() {
        check(new Upsample(2, Upsample.Mode.NEAREST), new int[]{1, 2, 3, 4}, List.of(), NEAREST_OUT, NEAREST_GX);
    }

    @Test
    void upsampleBilinear() {
        check(new Upsample(2, Upsample.Mode.BILINEAR), new int[]{1, 2, 3, 4}, List.of(), BILINEAR_OUT, BILINEAR_GX);
    }

    @Test
    void upsampleBilinearAlignCorners() {
        check(new Upsample(new int[]{3}, Upsample.Mode.BILINEAR, true), new int[]{1, 2, 3, 4}, List.of(), BILINEAR_ALIGNED_OUT, BILINEAR_ALIGNED_GX);
    }

    @Test
    void groupNorm() {
        var g = new GroupNorm(3, 6);
        check(g, new int[]{2, 6, 3, 3}, weights(g), GROUPNORM_OUT, GROUPNORM_GX, GROUPNORM_G0, GROUPNORM_G1);
    }

    @Test
    void globalAvgPool2d() {
        check(new GlobalAvgPool2d(), new int[]{2, 3, 4, 5}, List.of(), GAP_OUT, GAP_GX);
    }
}
