package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized loops over float arrays at {@link VectorWidth}'s width (AVX-512, AVX2 or NEON).
 * Each takes offsets so that callers can work on views and on rows of larger buffers.
 */
public final class VectorMath {
    public static final VectorSpecies<Float> SPECIES = VectorWidth.FLOAT;
    private static final int L = SPECIES.length();

    private VectorMath() {}

    /** out = a op b, elementwise over n values. */
    public static void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(SPECIES, a, ao + i).add(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
    }

    public static void sub(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(SPECIES, a, ao + i).sub(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i];
    }

    public static void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(SPECIES, a, ao + i).mul(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i];
    }

    public static void div(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(SPECIES, a, ao + i).div(FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] / b[bo + i];
    }

    /** out = a * s + c. */
    public static void scaleShift(float[] a, int ao, float s, float c, float[] out, int oo, int n) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(SPECIES, s), vc = FloatVector.broadcast(SPECIES, c);
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(SPECIES, a, ao + i).fma(vs, vc).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] * s + c;
    }

    /** y += alpha * x. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(SPECIES, x, xo + i).fma(va, FloatVector.fromArray(SPECIES, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    public static void relu(float[] a, int ao, float[] out, int oo, int n) {
        int i = 0;
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(SPECIES, a, ao + i).max(0f).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = Math.max(a[ao + i], 0f);
    }

    /** out = g where x > 0, else 0. */
    public static void reluBackward(float[] g, int go, float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            var m = FloatVector.fromArray(SPECIES, x, xo + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(SPECIES, g, go + i), m).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = x[xo + i] > 0f ? g[go + i] : 0f;
    }

    public static void exp(float[] a, int ao, float[] out, int oo, int n) {
        int i = 0;
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            VectorExp.exp(FloatVector.fromArray(SPECIES, a, ao + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = VectorExp.exp(a[ao + i]);
    }

    /** out = e^(a + shift) over n values; returns their sum (a softmax's numerators and denominator in one pass). */
    public static float expSum(float[] a, int ao, float shift, float[] out, int oo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(SPECIES, a, ao + i).add(shift));
            e.intoArray(out, oo + i);
            acc = acc.add(e);
        }
        float s = lanesSum(acc);
        for (; i < n; i++) s += out[oo + i] = VectorExp.exp(a[ao + i] + shift);
        return s;
    }

    public static float sum(float[] a, int ao, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int up = SPECIES.loopBound(n); i < up; i += L) acc = acc.add(FloatVector.fromArray(SPECIES, a, ao + i));
        float s = lanesSum(acc);
        for (; i < n; i++) s += a[ao + i];
        return s;
    }

    /**
     * The lanes added first to last. {@code reduceLanes(ADD)} leaves the order to the implementation, and
     * the interpreter's order differs from the JIT's, so a sum could change once its method is compiled.
     */
    public static float lanesSum(FloatVector v) {
        float s = 0f;
        for (int l = 0; l < L; l++) s += v.lane(l);
        return s;
    }

    public static float max(float[] a, int ao, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector acc = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int up = SPECIES.loopBound(n); i < up; i += L) acc = acc.max(FloatVector.fromArray(SPECIES, a, ao + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, a[ao + i]);
        return m;
    }

    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int up = SPECIES.loopBound(n); i < up; i += L) {
            acc = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), acc);
        }
        float s = lanesSum(acc);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }
}
