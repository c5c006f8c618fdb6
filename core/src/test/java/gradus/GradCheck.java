package gradus;

import gradus.autograd.GradMode;
import gradus.tensor.DType;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares autograd gradients with central finite differences. The function's output is reduced
 * to a scalar with fixed random weights, accumulated in double precision, so every output element
 * and every input element is checked. {@link #check(Function, Tensor...)} runs in FLOAT64 (the reference
 * backend, fused ops as their composites) with a tight tolerance; {@link #checkFloat32} is for functions
 * that cannot take float64 inputs (they read a layer's own float32 parameters, or a kernel not yet an op).
 */
public final class GradCheck {
    private GradCheck() {}

    /** In FLOAT64: each input is replaced by a float64 copy; |autograd − finite difference| ≤ 1e-6 + 1e-5·|fd|. */
    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < in.length; i++) in[i] = inputs[i].detach().to(DType.FLOAT64).detach().requiresGrad(true);
        Tensor out = f.apply(in);
        Tensor weights = Tensor.normal(new Rng(1234), 0f, 1f, out.shape()).to(DType.FLOAT64);
        out.backward(weights.to(out.dtype()));
        double[] w = weights.toDoubleArray();
        double eps = 1e-6;
        for (int i = 0; i < in.length; i++) {
            Tensor x = in[i];
            assertNotNull(x.grad(), "input " + i + " got no gradient");
            double[] analytic = x.grad().toDoubleArray();
            int[] shape = x.shape();
            for (int e = 0; e < x.numel(); e++) {
                int[] at = new int[shape.length];
                for (int d = shape.length - 1, r = e; d >= 0; d--) {
                    at[d] = r % shape[d];
                    r /= shape[d];
                }
                double orig = x.getDouble(at);
                x.setDouble(orig + eps, at);
                double plus = weightedDouble(f, in, w);
                x.setDouble(orig - eps, at);
                double minus = weightedDouble(f, in, w);
                x.setDouble(orig, at);
                double numeric = (plus - minus) / (2 * eps);
                if (Math.abs(numeric - analytic[e]) > 1e-6 + 1e-5 * Math.abs(numeric)) {
                    fail("gradient mismatch (float64) for input " + i + " element " + e + ": autograd " + analytic[e]
                            + ", finite difference " + numeric);
                }
            }
        }
    }

    private static double weightedDouble(Function<Tensor[], Tensor> f, Tensor[] inputs, double[] w) {
        try (var g = GradMode.noGrad()) {
            double[] y = f.apply(inputs).toDoubleArray();
            assertEquals(w.length, y.length);
            double s = 0;
            for (int i = 0; i < y.length; i++) s += y[i] * w[i];
            return s;
        }
    }

    /** In float32 with a loose tolerance (2e-3 + 2%). */
    public static void checkFloat32(Function<Tensor[], Tensor> f, Tensor... inputs) {
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
