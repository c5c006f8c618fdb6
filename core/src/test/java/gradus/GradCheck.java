package gradus;

import gradus.autograd.GradMode;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares autograd gradients with central finite differences. The function's output is reduced
 * to a scalar with fixed random weights, accumulated in double precision, so every output element
 * and every input element is checked.
 */
public final class GradCheck {
    private GradCheck() {}

    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(f, 5e-3, 2e-3, 2e-2, inputs);
    }

    public static void check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) {
            t.requiresGrad(true);
            t.zeroGrad();
        }
        Tensor out = f.apply(inputs);
        Tensor weights = Tensor.normal(new Rng(1234), 0f, 1f, out.shape());
        out.backward(weights);
        float[] w = weights.toArray();
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            assertNotNull(x.grad(), "input " + i + " got no gradient");
            float[] analytic = x.grad().toArray();
            float[] data = x.data();
            for (int e = 0; e < x.numel(); e++) {
                int pos = position(x, e);
                float orig = data[pos];
                data[pos] = (float) (orig + eps);
                double plus = weighted(f, inputs, w);
                data[pos] = (float) (orig - eps);
                double minus = weighted(f, inputs, w);
                data[pos] = orig;
                double numeric = (plus - minus) / (2 * eps);
                double tol = atol + rtol * Math.abs(numeric);
                if (Math.abs(numeric - analytic[e]) > tol) {
                    fail("gradient mismatch for input " + i + " element " + e + ": autograd " + analytic[e]
                            + ", finite difference " + numeric);
                }
            }
        }
    }

    private static double weighted(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] w) {
        try (var g = GradMode.noGrad()) {
            float[] y = f.apply(inputs).toArray();
            assertEquals(w.length, y.length);
            double s = 0;
            for (int i = 0; i < y.length; i++) s += (double) y[i] * w[i];
            return s;
        }
    }

    /** Storage position of the e-th element in row-major order. */
    private static int position(Tensor x, int e) {
        int[] shape = x.shape(), strides = x.strides();
        int pos = x.offset();
        for (int d = shape.length - 1; d >= 0; d--) {
            pos += (e % shape[d]) * strides[d];
            e /= shape[d];
        }
        return pos;
    }
}
