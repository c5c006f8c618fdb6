package gradus.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One row of layer normalization, (x − mean)/√(var + eps)·w + b, computed the same way by the autograd op
 * and by inference, so both give the same bits. The variance is accumulated in double: a row of
 * thousands of values would otherwise lose digits.
 */
public final class LayerNormKernel {
    private static final VectorSpecies<Float> F = VectorMath.SPECIES;
    /** Doubles in a vector as wide as F: one float vector converts into two of them. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());

    private LayerNormKernel() {}

    /**
     * Normalizes {@code d} values of {@code in} from {@code off} into {@code out} from {@code o} (may be the
     * same place). {@code w} and {@code b} may be null (no scale, no shift). When {@code mean} is not null,
     * the row's mean and inverse standard deviation go to {@code mean[row]} and {@code invStd[row]}.
     */
    public static void normalize(float[] in, int off, int d, float eps, float[] w, float[] b, float[] out, int o,
                                 float[] mean, float[] invStd, int row) {
        float mu = (float) ((double) VectorMath.sum(in, off, d) / d);
        float is = (float) (1.0 / Math.sqrt(centeredSquares(in, off, d, mu) / d + eps));
        if (mean != null) {
            mean[row] = mu;
            invStd[row] = is;
        }
        VectorMath.scaleShift(in, off, is, -mu * is, out, o, d);
        if (w != null) VectorMath.mul(out, o, w, 0, out, o, d);
        if (b != null) VectorMath.add(out, o, b, 0, out, o, d);
    }

    /** Σ (a[i] − mu)² over n values: squares in float, as the scalar tail computes them, summed in double. */
    public static double centeredSquares(float[] a, int off, int n, float mu) {
        DoubleVector s0 = DoubleVector.zero(D), s1 = s0;
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, a, off + i).sub(mu);
            v = v.mul(v);
            s0 = s0.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            s1 = s1.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float v = a[off + i] - mu;
            s += v * v;
        }
        return s;
    }
}
