package gradus.autograd;

import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.LSTM;
import gradus.nn.Linear;
import gradus.nn.MaxPool2d;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GradMode#inputGradients}: the input's gradient as in plain backward, and nothing recorded or computed for the weights. */
class InputGradientsTest {

    private static Sequential cnn() {
        Rng.manualSeed(7);
        return new Sequential(new Conv2d(1, 4, 3, 1, 1).activation("relu"), new MaxPool2d(new int[]{2}, null, new int[]{0}),
                new Flatten(1, -1), new Linear(4 * 4 * 4, 8), new ReLU(), new Linear(8, 3));
    }

    /** d sum(model(x)[:, 1]) / dx by plain backward, with every parameter requiring grad (their gradients computed too). */
    private static float[] plainInputGradient(Sequential model, Tensor x0) {
        Tensor x = Tensor.of(x0.toArray(), x0.shape()).requiresGrad(true);
        model.forward(x).narrow(1, 1, 1).sum().backward();
        for (Tensor p : model.parameters()) assertTrue(p.grad() != null, "plain backward fills the parameters' gradients");
        return x.grad().toArray();
    }

    @Test
    void sameInputGradientAsPlainBackwardAndNoParameterGradient() {
        Sequential model = cnn();
        Tensor x0 = Tensor.randn(5, 1, 8, 8);
        float[] expected = plainInputGradient(model, x0);
        model.zeroGrad();

        Tensor x = Tensor.of(x0.toArray(), x0.shape()).requiresGrad(true);
        try (var g = GradMode.inputGradients(x)) {
            Tensor out = model.forward(x);
            Node last = out.gradFn();
            assertNull(last.inputs()[1], "the last linear records no edge to its weight");
            assertNull(last.inputs()[2], "nor to its bias");
            out.narrow(1, 1, 1).sum().backward();
        }
        assertArrayEquals(expected, x.grad().toArray(), 0f, "the same products in the same order: bit for bit");
        for (Tensor p : model.parameters()) {
            assertTrue(p.requiresGrad(), "the parameters' flags are untouched");
            assertNull(p.grad(), "no gradient reaches a parameter");
        }
    }

    @Test
    void otherLeavesAreConstantsAndTheModeEndsWithItsScope() {
        Tensor a = Tensor.of(new float[]{1, 2, 3}, 3).requiresGrad(true), b = Tensor.of(new float[]{4, 5, 6}, 3).requiresGrad(true);
        try (var noGrad = GradMode.noGrad(); var g = GradMode.inputGradients(a)) {
            assertTrue(GradMode.isEnabled(), "the scope records even inside no-grad");
            Tensor y = a.mul(b).sum();
            y.backward();
            assertFalse(GradMode.tracks(b));
        }
        assertArrayEquals(new float[]{4, 5, 6}, a.grad().toArray(), 0f);
        assertNull(b.grad());
        assertTrue(GradMode.tracks(b), "after the scope every leaf that requires grad counts again");
        a.mul(b).sum().backward();
        assertArrayEquals(new float[]{1, 2, 3}, b.grad().toArray(), 0f);
    }

    @Test
    void recurrentLayersRecordedOutsideTheOpsLeaveTheirWeightsAlone() {
        Rng.manualSeed(3);
        LSTM lstm = new LSTM(3, 4);
        Tensor x0 = Tensor.randn(2, 5, 3);
        Tensor x = Tensor.of(x0.toArray(), x0.shape()).requiresGrad(true);
        lstm.forward(x).sum().backward();
        float[] expected = x.grad().toArray();
        lstm.zeroGrad();

        Tensor x2 = Tensor.of(x0.toArray(), x0.shape()).requiresGrad(true);
        try (var g = GradMode.inputGradients(x2)) {
            lstm.forward(x2).sum().backward();
        }
        assertArrayEquals(expected, x2.grad().toArray(), 0f);
        for (Tensor p : lstm.parameters()) assertNull(p.grad(), "no gradient reaches an LSTM weight");
    }
}
