package gradus.nn;

import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static gradus.nn.NnGolden.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Layer and loss outputs and gradients against numbers recorded from PyTorch (tools/golden/nn_golden.py). */
class NnGoldenTest {
    private static final float TOL = 1e-5f;

    /** value i = sin(i·a + b)·c, exactly as the generator script builds its inputs. */
    static Tensor seq(double a, double b, double c, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (Math.sin(i * a + b) * c);
        return Tensor.of(v, shape);
    }

    /** Sum of output · seq(0.91, 0.3, 1): its gradient is that fixed pattern, as in the script. */
    private static Tensor probe(Tensor y) {
        return y.mul(seq(0.91, 0.3, 1.0, y.shape())).sum();
    }

    private static void close(float[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toArray(), TOL);
    }

    private static void conv(float[] out, float[] gx, float[] gw, float[] gb, int[] wShape,
                             int[] stride, int[] padding, int[] dilation) {
        Tensor x = seq(0.37, 0.1, 1.0, 2, 2, 5, 5).requiresGrad(true);
        Conv2d conv = new Conv2d(2, 3, new int[]{wShape[2], wShape[3]}, stride, padding, dilation, true);
        conv.weight().copyFrom(seq(0.73, 0.5, 0.5, wShape));
        conv.bias().copyFrom(seq(1.3, 0.2, 0.3, 3));
        Tensor y = conv.forward(x);
        close(out, y);
        probe(y).backward();
        close(gx, x.grad());
        close(gw, conv.weight().grad());
        close(gb, conv.bias().grad());
    }

    @Test
    void conv2dStride1Padding1() {
        conv(CONV_A_OUT, CONV_A_GX, CONV_A_GW, CONV_A_GB, new int[]{3, 2, 3, 3}, new int[]{1}, new int[]{1}, new int[]{1});
    }

    @Test
    void conv2dStride2() {
        conv(CONV_B_OUT, CONV_B_GX, CONV_B_GW, CONV_B_GB, new int[]{3, 2, 3, 3}, new int[]{2}, new int[]{1}, new int[]{1});
    }

    @Test
    void conv2dDilation2() {
        conv(CONV_C_OUT, CONV_C_GX, CONV_C_GW, CONV_C_GB, new int[]{3, 2, 3, 3}, new int[]{1}, new int[]{1}, new int[]{2});
    }

    @Test
    void conv2dRectangularKernelStridePaddingDilation() {
        conv(CONV_D_OUT, CONV_D_GX, CONV_D_GW, CONV_D_GB, new int[]{3, 2, 2, 3}, new int[]{2, 1}, new int[]{0, 1}, new int[]{1, 2});
    }

    private static void pool(Module m, float[] out, float[] gx) {
        Tensor x = seq(0.61, 0.2, 1.0, 1, 2, 6, 6).requiresGrad(true);
        Tensor y = m.forward(x);
        assertArrayEquals(new int[]{1, 2, 3, 3}, y.shape());
        close(out, y);
        probe(y).backward();
        close(gx, x.grad());
    }

    @Test
    void pooling() {
        pool(new MaxPool2d(3, 2, 1), MAXPOOL_3_2_1_OUT, MAXPOOL_3_2_1_GX);
        pool(new MaxPool2d(2), MAXPOOL_2_OUT, MAXPOOL_2_GX);
        pool(new AvgPool2d(3, 2, 1), AVGPOOL_3_2_1_OUT, AVGPOOL_3_2_1_GX);
        pool(new AvgPool2d(2), AVGPOOL_2_OUT, AVGPOOL_2_GX);
    }

    @Test
    void batchNorm2dTrainingStepAndEval() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.weight().copyFrom(seq(1.7, 0.4, 0.5, 2).add(1f));
        bn.bias().copyFrom(seq(2.3, 0.1, 0.5, 2));
        Tensor x = seq(0.47, 0.3, 2.0, 3, 2, 2, 2).add(0.5f).requiresGrad(true);
        Tensor y = bn.forward(x);
        close(BN_TRAIN_OUT, y);
        probe(y).backward();
        close(BN_GX, x.grad());
        close(BN_GW, bn.weight().grad());
        close(BN_GB, bn.bias().grad());
        close(BN_RUNNING_MEAN, bn.runningMean());
        close(BN_RUNNING_VAR, bn.runningVar());
        assertEquals(1f, bn.stateDict().get("num_batches_tracked").item());
        bn.eval();
        close(BN_EVAL_OUT, bn.forward(x));
        assertEquals(1f, bn.stateDict().get("num_batches_tracked").item(), "eval() must not count batches");
    }

    @Test
    void layerNorm() {
        LayerNorm ln = new LayerNorm(3, 4);
        ln.weight().copyFrom(seq(0.29, 0.7, 0.5, 3, 4).add(1f));
        ln.bias().copyFrom(seq(0.53, 0.2, 0.5, 3, 4));
        Tensor x = seq(0.41, 0.9, 1.5, 2, 3, 4).add(0.3f).requiresGrad(true);
        Tensor y = ln.forward(x);
        close(LN_OUT, y);
        probe(y).backward();
        close(LN_GX, x.grad());
        close(LN_GW, ln.weight().grad());
        close(LN_GB, ln.bias().grad());
    }

    @Test
    void crossEntropy() {
        IntTensor labels = IntTensor.of(new int[]{1, 0, 4, 2});
        Tensor weights = Tensor.of(new float[]{0.5f, 1f, 2f, 1.5f, 0.7f});
        Function<Tensor, Tensor> logits = unused -> seq(0.83, 0.1, 3.0, 4, 5).requiresGrad(true);

        Tensor z = logits.apply(null);
        Tensor plain = Losses.crossEntropy(z, labels);
        close(CE_PLAIN, plain);
        plain.backward();
        close(CE_PLAIN_GRAD, z.grad());

        float[][] expected = {CE_MEAN, CE_SUM, CE_NONE}, grads = {CE_MEAN_GRAD, CE_SUM_GRAD, CE_NONE_GRAD};
        Reduction[] reductions = {Reduction.MEAN, Reduction.SUM, Reduction.NONE};
        for (int r = 0; r < 3; r++) {
            z = logits.apply(null);
            Tensor l = Losses.crossEntropy(z, labels, weights, 0.1f, reductions[r]);
            close(expected[r], l);
            (reductions[r] == Reduction.NONE ? probe(l) : l).backward();
            close(grads[r], z.grad());
        }
    }

    @Test
    void binaryCrossEntropy() {
        Tensor z = seq(1.1, 0.2, 4.0, 3, 4).requiresGrad(true);
        Tensor t = seq(0.7, 0.4, 1.0, 3, 4).add(1f).div(2f);
        Tensor l = Losses.bceWithLogits(z, t, Tensor.of(new float[]{0.5f, 1f, 2f, 3f}));
        close(BCE_LOGITS, l);
        l.backward();
        close(BCE_LOGITS_GRAD, z.grad());

        Tensor p = seq(1.1, 0.2, 4.0, 3, 4).sigmoid().requiresGrad(true);
        Tensor b = Losses.bce(p, t);
        close(BCE, b);
        b.backward();
        close(BCE_GRAD, p.grad());
    }
}
