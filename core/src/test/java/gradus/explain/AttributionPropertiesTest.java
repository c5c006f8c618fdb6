package gradus.explain;

import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/** Properties known analytically: exactness on linear models, completeness, convergence of the rules. */
class AttributionPropertiesTest {
    @Test
    void integratedGradientsOfALinearModelFromZeroAreInputTimesWeight() {
        Linear lin = new Linear(5, 2);
        Tensor x = Tensor.of(new float[]{0.5f, -1f, 2f, 0.25f, 3f, 1f, 1f, -2f, 0f, 0.5f}, 2, 5);
        for (Quadrature rule : Quadrature.values()) {
            var ig = new IntegratedGradients(lin::forward).steps(3).rule(rule).attribute(x, 1);
            float[] w = lin.weight().select(0, 1).toArray();
            float[] a = ig.attributions().toArray();
            for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) assertEquals(x.get(i, j) * w[j], a[i * 5 + j], 1e-6, rule + " " + i + "," + j);
            for (double gap : ig.gaps()) assertEquals(0, gap, 1e-5, rule.toString());
        }
    }

    @Test
    void quadratureRulesIntegratePolynomials() {
        // Gauss–Legendre with n points is exact up to degree 2n − 1: ∫₀¹ α^7 dα = 1/8 with 4 points
        var gl = Quadrature.GAUSS_LEGENDRE.nodes(4);
        double s = 0, w = 0;
        for (int k = 0; k < 4; k++) {
            s += gl.weights()[k] * Math.pow(gl.alphas()[k], 7);
            w += gl.weights()[k];
        }
        assertEquals(0.125, s, 1e-14);
        assertEquals(1, w, 1e-14);
        // NumPy's leggauss(3) on [0, 1]: nodes 0.5 ∓ √(3/5)/2, 0.5; weights 5/18, 8/18, 5/18
        var three = Quadrature.GAUSS_LEGENDRE.nodes(3);
        assertArrayEquals(new double[]{0.5 - Math.sqrt(0.6) / 2, 0.5, 0.5 + Math.sqrt(0.6) / 2}, three.alphas(), 1e-14);
        assertArrayEquals(new double[]{5 / 18.0, 8 / 18.0, 5 / 18.0}, three.weights(), 1e-14);
        // trapezoid and middle are exact for linear integrands, left/right are not
        for (Quadrature r : new Quadrature[]{Quadrature.RIEMANN_TRAPEZOID, Quadrature.RIEMANN_MIDDLE}) {
            var nodes = r.nodes(5);
            double t = 0;
            for (int k = 0; k < 5; k++) t += nodes.weights()[k] * nodes.alphas()[k];
            assertEquals(0.5, t, 1e-15, r.toString());
        }
        assertEquals(Quadrature.GAUSS_LEGENDRE, Quadrature.parse("gauss-legendre"));
        assertEquals(Quadrature.RIEMANN_LEFT, Quadrature.parse("riemann_left"));
        var e = assertThrows(IllegalArgumentException.class, () -> Quadrature.parse("simpson"));
        assertTrue(e.getMessage().contains("gausslegendre"), e.getMessage());
    }

    @Test
    void completenessGapShrinksWithStepsAndGaussLegendreConvergesFaster() {
        Sequential m = ReferenceTest.mlp();
        Tensor x = ReferenceTest.X.mul(2f);
        double previous = Double.MAX_VALUE;
        for (int steps : new int[]{4, 16, 64}) {
            double left = Math.abs(new IntegratedGradients(m::forward).steps(steps).rule(Quadrature.RIEMANN_LEFT).attribute(x, 2).gaps()[0]);
            double gl = Math.abs(new IntegratedGradients(m::forward).steps(steps).rule(Quadrature.GAUSS_LEGENDRE).attribute(x, 2).gaps()[0]);
            assertTrue(left < previous, "left-Riemann gap " + left + " at " + steps + " steps, was " + previous);
            assertTrue(gl < left / 10 || gl < 1e-6, "Gauss–Legendre gap " + gl + " vs left Riemann " + left + " at " + steps + " steps");
            previous = left;
        }
        var at64 = new IntegratedGradients(m::forward).steps(64).rule(Quadrature.RIEMANN_LEFT).attribute(x, 2);
        assertTrue(at64.relativeGap() <= 0.01, "gap at 64 steps is " + at64.relativeGap() + " of |f(x) − f(x')|");
    }

    @Test
    void smoothGradIsSeededAndWithoutNoiseIsTheGradient() {
        Sequential m = ReferenceTest.mlp();
        Tensor g = Gradients.of(m::forward, ReferenceTest.X, 0).gradients();
        ReferenceTest.close(g.toArray(), SmoothGrad.attribute(m::forward, ReferenceTest.X, 0, 8, 0f, false, 1), 1e-6);
        Tensor a = SmoothGrad.attribute(m::forward, ReferenceTest.X, 0, 16, 0.3f, false, 7);
        Tensor b = SmoothGrad.attribute(m::forward, ReferenceTest.X, 0, 16, 0.3f, false, 7);
        Tensor c = SmoothGrad.attribute(m::forward, ReferenceTest.X, 0, 16, 0.3f, false, 8);
        assertArrayEquals(a.toArray(), b.toArray());
        assertNotEquals(a.get(0, 0), c.get(0, 0));
        // the mean of the noisy gradients is not the gradient at x (tanh is curved), but close
        for (int j = 0; j < 4; j++) assertEquals(g.get(0, j), a.get(0, j), 0.1);
    }

    @Test
    void occlusionOfALinearModelIsTheWeightTimesInput() {
        Linear lin = new Linear(6, 1);
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 1, 6);
        Tensor a = Occlusion.attribute(lin::forward, x, 0, new int[]{1}, new int[]{1}, 0f, 4);
        float[] w = lin.weight().toArray();
        for (int j = 0; j < 6; j++) assertEquals(w[j] * (j + 1), a.get(0, j), 1e-5);
    }

    @Test
    void gradCamCutsNestedSequentialsAtADottedPath() {
        Sequential flat = ReferenceTest.cnn();
        var l = flat.layers();
        Sequential nested = new Sequential(new Sequential(l.get(0), l.get(1), l.get(2), l.get(3)), new Sequential(l.get(4), l.get(5)));
        assertEquals("0.3", LayerSplit.lastConv(nested));
        ReferenceTest.close(Golden.CNN_GRADCAM, GradCam.attribute(nested, "0.3", ReferenceTest.image(), 1, true), 1e-5);
        var split = LayerSplit.of(nested, "0.1");
        ReferenceTest.close(flat.forward(ReferenceTest.image()).toArray(), split.tail().apply(split.head().apply(ReferenceTest.image())), 1e-6);
    }

    @Test
    void badInputsAreNamed() {
        Sequential m = ReferenceTest.mlp();
        var e = assertThrows(IllegalArgumentException.class, () -> Saliency.saliency(m::forward, ReferenceTest.X, 3));
        assertEquals("target 3 is out of range: the model has 3 outputs (0..2)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradCam.attribute(m, null, ReferenceTest.X, 0, true));
        assertTrue(e.getMessage().contains("no Conv2d"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradCam.attribute(ReferenceTest.cnn(), "9", ReferenceTest.image(), 0, true));
        assertEquals("no layer '9': the Sequential has layers 0..5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradCam.attribute(ReferenceTest.cnn(), "5", ReferenceTest.image(), 0, true));
        assertTrue(e.getMessage().contains("layer '5' gives [1, 3]"), e.getMessage());
        UnaryOperator<Tensor> constant = x -> Tensor.zeros(x.size(0), 2);
        e = assertThrows(IllegalArgumentException.class, () -> Saliency.saliency(constant, ReferenceTest.X, 0));
        assertTrue(e.getMessage().contains("perturbation method"), e.getMessage());
    }
}
