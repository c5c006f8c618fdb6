package gradus.autograd;

import gradus.autograd.LinalgOps.Activation;
import gradus.tensor.DType;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every op of {@link Op} keeps, run over {@link OpCases#all()}: (a) autograd gradients equal central
 * finite differences in FLOAT64 on the reference backend to 1e-6 relative; (b) the float32 fast path equals the
 * FLOAT64 reference within float tolerance, forward and backward; (c) a {@link Fused} op's float32 kernels equal its
 * composite, values and gradients (in FLOAT64 the reference runs the composite, so (a) checks its gradients and
 * (b) checks the fused kernels against them); (d) shape errors name both shapes; (e) under no-grad nothing is recorded. Every op class
 * (the permitted subclasses of the sealed {@link Op}) must have a case.
 */
class OpContractTest {

    @Test
    void everyOpHasAContractCase() {
        Set<Class<?>> ops = new LinkedHashSet<>();
        collect(Op.class, ops);
        Set<Class<?>> covered = new LinkedHashSet<>();
        for (OpCase c : OpCases.all()) covered.add(c.op());
        ops.removeAll(covered);
        assertTrue(ops.isEmpty(), "ops without a contract case in OpCases: " + ops);
    }

    private static void collect(Class<?> type, Set<Class<?>> into) {
        if (!type.isSealed()) {
            into.add(type);
            return;
        }
        for (Class<?> sub : type.getPermittedSubclasses()) collect(sub, into);
    }

    @TestFactory
    Stream<DynamicTest> finiteDifferencesInFloat64() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest(c.label(), () -> {
            Tensor[] in = c.inputs(DType.FLOAT64);
            Tensor[] grads = gradients(c.f(), in, weightsFor(c.f(), in));
            double[] w = weightsFor(c.f(), in).toDoubleArray();
            for (int i = 0; i < in.length; i++) {
                if (!c.differentiable(i)) continue;
                Tensor x = in[i];
                assertNotNull(grads[i], c.label() + ": input " + i + " got no gradient");
                double[] analytic = grads[i].toDoubleArray();
                int[] shape = x.shape();
                for (int e = 0; e < x.numel(); e++) {
                    int[] at = unravel(e, shape);
                    double orig = x.getDouble(at);
                    x.setDouble(orig + c.eps(), at);
                    double plus = weighted(c.f(), in, w);
                    x.setDouble(orig - c.eps(), at);
                    double minus = weighted(c.f(), in, w);
                    x.setDouble(orig, at);
                    double numeric = (plus - minus) / (2 * c.eps());
                    if (Math.abs(numeric - analytic[e]) > 1e-8 + 1e-6 * Math.abs(numeric)) {
                        fail(c.label() + ": gradient of input " + i + " element " + e + ": autograd " + analytic[e]
                                + ", finite difference " + numeric);
                    }
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> float32FastPathEqualsFloat64Reference() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest(c.label(), () -> {
            Tensor[] in32 = c.inputs(DType.FLOAT32), in64 = c.inputs(DType.FLOAT64);
            Tensor w = weightsFor(c.f(), in64);
            Tensor y32 = c.f().apply(in32), y64 = c.f().apply(in64);
            assertEquals(DType.FLOAT32, y32.dtype(), c.label() + ": float32 inputs give a float32 result");
            close(c.label() + " forward", y64.toDoubleArray(), y32.toDoubleArray(), c.tolerance());
            Tensor[] g32 = gradients(c.f(), in32, w.to(DType.FLOAT32)), g64 = gradients(c.f(), in64, w);
            for (int i = 0; i < in32.length; i++) {
                if (!c.differentiable(i)) continue;
                close(c.label() + " gradient " + i, g64[i].toDoubleArray(), g32[i].toDoubleArray(), c.tolerance());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> fusedEqualsComposite() {
        return OpCases.all().stream().filter(c -> c.composite() != null).map(c -> DynamicTest.dynamicTest(c.label(), () -> {
            // float32, where the fused kernels run (float64 runs the composite itself, checked by finite differences)
            Tensor[] a = c.inputs(DType.FLOAT32), b = c.inputs(DType.FLOAT32);
            Tensor w = weightsFor(c.f(), a).to(DType.FLOAT32);
            close(c.label() + " forward", c.composite().apply(b).toDoubleArray(), c.f().apply(a).toDoubleArray(), c.tolerance());
            Tensor[] ga = gradients(c.f(), a, w), gb = gradients(c.composite(), b, w);
            for (int i = 0; i < a.length; i++) {
                if (c.differentiable(i)) close(c.label() + " gradient " + i, gb[i].toDoubleArray(), ga[i].toDoubleArray(), c.tolerance());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> shapeErrorsNameBothShapes() {
        return OpCases.all().stream().filter(c -> c.badShapes() != null).map(c -> DynamicTest.dynamicTest(c.label(), () -> {
            var e = assertThrows(IllegalArgumentException.class, () -> c.f().apply(c.badShapes().inputs()));
            for (String s : c.badShapes().named()) {
                assertTrue(e.getMessage().contains(s), c.label() + ": \"" + e.getMessage() + "\" does not name " + s);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> noGradRecordsNothing() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest(c.label(), () -> {
            Tensor[] in = c.inputs(DType.FLOAT64);
            for (Tensor t : in) t.requiresGrad(true);
            Tensor y;
            try (var g = GradMode.noGrad()) {
                y = c.f().apply(in);
            }
            assertFalse(y.requiresGrad(), c.label());
            assertNull(y.gradFn(), c.label());
            assertTrue(c.f().apply(in).requiresGrad(), c.label() + " records with grad on");
        }));
    }

    @Test
    void referenceIsForcedForFloat64AndFastPathServesFloat32() {
        assertEquals("reference", Backend.of(Tensor.zeros(DType.FLOAT64, 2)).name());
        assertEquals(Backend.FORCE_REFERENCE ? "reference" : "fast", Backend.of(Tensor.zeros(2)).name());
        var e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(DType.FLOAT64, 2, 3).data());
        assertTrue(e.getMessage().contains("FLOAT64") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /** Fixed random weights that reduce an output to a scalar, so every output element is checked. */
    private static Tensor weightsFor(Function<Tensor[], Tensor> f, Tensor[] in) {
        int[] shape;
        try (var g = GradMode.noGrad()) {
            shape = f.apply(in).shape();
        }
        return Tensor.normal(new Rng(1234), 0f, 1f, shape).to(DType.FLOAT64);
    }

    private static Tensor[] gradients(Function<Tensor[], Tensor> f, Tensor[] in, Tensor w) {
        for (Tensor t : in) {
            t.requiresGrad(true);
            t.zeroGrad();
        }
        Tensor y = f.apply(in);
        y.backward(w.to(y.dtype()));
        Tensor[] g = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) g[i] = in[i].grad();
        return g;
    }

    private static double weighted(Function<Tensor[], Tensor> f, Tensor[] in, double[] w) {
        try (var g = GradMode.noGrad()) {
            double[] y = f.apply(in).toDoubleArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += y[i] * w[i];
            return s;
        }
    }

    private static int[] unravel(int e, int[] shape) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = e % shape[d];
            e /= shape[d];
        }
        return at;
    }

    private static void close(String what, double[] want, double[] got, double tol) {
        assertEquals(want.length, got.length, what + ": sizes");
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= tol * Math.max(1, scale))) {
                fail(what + " element " + i + ": want " + want[i] + ", got " + got[i] + " (tolerance " + tol + " of " + Math.max(1, scale) + ")");
            }
        }
    }
}
