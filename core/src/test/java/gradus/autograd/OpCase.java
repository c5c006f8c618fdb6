package gradus.autograd;

import gradus.tensor.DType;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.Set;
import java.util.function.Function;

/**
 * One contract case: which op it exercises, a function of the inputs that runs it (and may add a little glue),
 * how inputs are drawn, and optionally bad inputs whose error must name the listed shapes, and a composite.
 */
record OpCase(Class<? extends Op> op, String label, Function<Tensor[], Tensor> f, int[][] shapes, double lo, double hi,
              long seed, double eps, double tolerance, Set<Integer> constants, Function<Tensor[], Tensor> composite,
              Bad badShapes) {

    record Bad(Tensor[] inputs, String... named) {}

    static OpCase of(Class<? extends Op> op, String label, Function<Tensor[], Tensor> f, int[]... shapes) {
        return new OpCase(op, label, f, shapes, Double.NaN, Double.NaN, label.hashCode(), 1e-6, 1e-4, Set.of(), null, null);
    }

    /** Inputs uniform in [lo, hi) instead of standard normal (a domain, or away from a kink). */
    OpCase uniform(double lo, double hi) {
        return new OpCase(op, label, f, shapes, lo, hi, seed, eps, tolerance, constants, composite, badShapes);
    }

    OpCase eps(double eps) {
        return new OpCase(op, label, f, shapes, lo, hi, seed, eps, tolerance, constants, composite, badShapes);
    }

    OpCase tolerance(double tolerance) {
        return new OpCase(op, label, f, shapes, lo, hi, seed, eps, tolerance, constants, composite, badShapes);
    }

    /** Inputs that get no gradient (e.g. an exponent held constant). */
    OpCase constants(Integer... inputs) {
        return new OpCase(op, label, f, shapes, lo, hi, seed, eps, tolerance, Set.of(inputs), composite, badShapes);
    }

    OpCase composite(Function<Tensor[], Tensor> composite) {
        return new OpCase(op, label, f, shapes, lo, hi, seed, eps, tolerance, constants, composite, badShapes);
    }

    OpCase bad(Tensor[] inputs, String... named) {
        return new OpCase(op, label, f, shapes, lo, hi, seed, eps, tolerance, constants, composite, new Bad(inputs, named));
    }

    boolean differentiable(int input) {
        return !constants.contains(input);
    }

    /** The same values for every dtype: drawn as float32, then converted. */
    Tensor[] inputs(DType dtype) {
        Rng rng = new Rng(seed);
        Tensor[] in = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            Tensor t = Double.isNaN(lo) ? Tensor.normal(rng, 0f, 1f, shapes[i]) : Tensor.uniform(rng, (float) lo, (float) hi, shapes[i]);
            in[i] = t.to(dtype).detach();
        }
        return in;
    }
}
