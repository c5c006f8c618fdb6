package gradus.explain;

import gradus.nn.Conv2d;
import gradus.nn.Flatten;
import gradus.nn.Linear;
import gradus.nn.Module;
import gradus.nn.ReLU;
import gradus.nn.Sequential;
import gradus.nn.Tanh;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/** Gradus against PyTorch autograd on the same weights: the numbers in {@link Golden}, from tools/reference/explain_reference.py. */
class ReferenceTest {
    static Tensor formula(int[] shape, double a, double b, double c, DoubleUnaryOperator fn) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (a * fn.applyAsDouble(b + c * i));
        return Tensor.of(v, shape);
    }

    static void set(Module m, String name, Tensor value) {
        m.namedParameters().get(name).copyFrom(value);
    }

    static Sequential mlp() {
        Sequential m = new Sequential(new Linear(4, 6), new Tanh(), new Linear(6, 3));
        set(m, "0.weight", formula(new int[]{6, 4}, 0.5, 1.0, 0.7, Math::sin));
        set(m, "0.bias", formula(new int[]{6}, 0.1, 0.0, 1.0, Math::cos));
        set(m, "2.weight", formula(new int[]{3, 6}, 0.5, 0.3, 0.9, Math::cos));
        set(m, "2.bias", formula(new int[]{3}, 0.05, 0.2, 1.3, Math::sin));
        return m;
    }

    static Sequential cnn() {
        Sequential m = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Conv2d(2, 3, 3), new ReLU(), new Flatten(1, -1), new Linear(48, 3));
        set(m, "0.weight", formula(new int[]{2, 1, 3, 3}, 0.6, 0.1, 0.37, Math::sin));
        set(m, "0.bias", formula(new int[]{2}, 0.1, 0.5, 1.0, Math::cos));
        set(m, "2.weight", formula(new int[]{3, 2, 3, 3}, 0.4, 0.2, 0.53, Math::cos));
        set(m, "2.bias", formula(new int[]{3}, 0.05, 0.1, 0.7, Math::sin));
        set(m, "5.weight", formula(new int[]{3, 48}, 0.3, 0.4, 0.29, Math::sin));
        set(m, "5.bias", formula(new int[]{3}, 0.02, 0.0, 1.1, Math::cos));
        return m;
    }

    static Tensor image() {
        float[] v = new float[64];
        for (int h = 0; h < 8; h++) for (int w = 0; w < 8; w++) v[h * 8 + w] = (float) (0.5 + 0.5 * Math.sin(0.3 * h + 0.7 * w));
        return Tensor.of(v, 1, 1, 8, 8);
    }

    static final Tensor X = Tensor.of(new float[]{0.8f, -0.4f, 0.3f, 1.2f}, 1, 4);

    static void close(float[] expected, Tensor actual, double tol) {
        float[] a = actual.toArray();
        assertEquals(expected.length, a.length, "length");
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void saliencyAndGradientTimesInputMatchPyTorch() {
        Sequential m = mlp();
        close(Golden.MLP_OUT, m.forward(X), 1e-6);
        close(Golden.MLP_SALIENCY, Saliency.saliency(m::forward, X, 2), 1e-6);
        close(Golden.MLP_GRAD_X_INPUT, Saliency.gradientTimesInput(m::forward, X, 2), 1e-6);
        Sequential c = cnn();
        close(Golden.CNN_OUT, c.forward(image()), 1e-5);
        close(Golden.CNN_SALIENCY, Saliency.saliency(c::forward, image(), 1), 1e-5);
    }

    @Test
    void integratedGradientsMatchPyTorchForEveryRule() {
        Sequential m = mlp();
        Tensor base = Tensor.full(0.1f, 4);
        var rules = new Quadrature[]{Quadrature.GAUSS_LEGENDRE, Quadrature.RIEMANN_LEFT, Quadrature.RIEMANN_RIGHT,
                Quadrature.RIEMANN_MIDDLE, Quadrature.RIEMANN_TRAPEZOID};
        float[][] expected = {Golden.MLP_IG_GAUSSLEGENDRE, Golden.MLP_IG_LEFT, Golden.MLP_IG_RIGHT, Golden.MLP_IG_MIDDLE, Golden.MLP_IG_TRAPEZOID};
        for (int r = 0; r < rules.length; r++) {
            // batch size 5 splits the 16 path points over four passes
            var ig = new IntegratedGradients(m::forward).steps(16).rule(rules[r]).baseline(base).batchSize(5).attribute(X, 2);
            close(expected[r], ig.attributions(), 1e-5);
        }
        Sequential c = cnn();
        close(Golden.CNN_IG_GAUSSLEGENDRE, new IntegratedGradients(c::forward).steps(32).attribute(image(), 1).attributions(), 1e-5);
    }

    @Test
    void gradCamAndOcclusionMatchPyTorch() {
        Sequential c = cnn();
        close(Golden.CNN_GRADCAM, GradCam.attribute(c, "3", image(), 1, true), 1e-5);
        assertEquals("3", LayerSplit.lastConv(c), "the default layer is the ReLU after the last Conv2d");
        close(Golden.CNN_GRADCAM, GradCam.attribute(c, null, image(), 1, true), 1e-5);
        close(Golden.CNN_OCCLUSION, Occlusion.attribute(c::forward, image(), 1, new int[]{1, 3, 3}, new int[]{1, 2, 2}, 0f, 7), 1e-5);
    }

    @Test
    void attacksMatchPyTorch() {
        Sequential c = cnn();
        int[] label = {0};
        close(Golden.CNN_FGSM, new Fgsm(0.1f, 0f, 1f).perturb(c::forward, image(), label), 1e-5);
        Tensor start = formula(new int[]{1, 1, 8, 8}, 0.05, 0.3, 1.7, Math::sin);
        Pgd linf = new Pgd(Pgd.Norm.LINF, 0.1f, 0.025f, 5, false, 0, 0f, 1f);
        close(Golden.CNN_PGD_LINF, linf.perturb(c::forward, image(), label, start), 1e-5);
        Tensor start2 = formula(new int[]{1, 1, 8, 8}, 1.0, 0.9, 2.3, Math::sin);
        start2 = start2.mul(0.25f / (float) Math.sqrt(start2.pow(2f).sum().item()));
        Pgd l2 = new Pgd(Pgd.Norm.L2, 0.5f, 0.1f, 5, false, 0, 0f, 1f);
        close(Golden.CNN_PGD_L2, l2.perturb(c::forward, image(), label, start2), 1e-5);
    }
}
