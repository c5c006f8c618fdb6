package gradus.tensor;

import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;

import java.util.Arrays;

/** Elementwise arithmetic and math with NumPy broadcasting, and their gradients. */
final class Elementwise {
    private Elementwise() {}

    enum Op { ADD, SUB, MUL, DIV, MAX, MIN, POW }

    enum Fn { EXP, LOG, SQRT, ABS, TANH, SIGMOID, RELU, GELU, SILU, SIN, COS }

    enum Cmp { EQ, NE, GT, GE, LT, LE }

    private static final int GRAIN = 1 << 15;

    /** A tensor's values broadcast to {@code shape} as (array, offset) in row-major order; copies only when needed. */
    private record Dense(float[] a, int off) {
        static Dense of(Tensor t, int[] shape) {
            if (Arrays.equals(t.shape(), shape) && t.isContiguous()) return new Dense(t.data(), t.offset());
            return new Dense(t.detach().expand(shape).toArray(), 0);
        }
    }

    static Tensor binary(Op op, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        float[] out = new float[Shape.numel(shape)];
        int n = out.length;
        int inner = b.numel();
        if (op != Op.POW && b.isContiguous() && inner > 0 && inner < n && isTrailing(b.shape(), shape)
                && Arrays.equals(a.shape(), shape) && a.isContiguous()) {
            // a[rows, inner] op b[inner]: the bias-add pattern, no broadcast copy of b.
            float[] ad = a.data(), bd = b.data();
            int ao = a.offset(), bo = b.offset();
            Parallel.forRange(n / inner, Math.max(1, GRAIN / inner), (r0, r1) -> {
                for (int r = r0; r < r1; r++) kernel(op, ad, ao + r * inner, bd, bo, out, r * inner, inner);
            });
        } else {
            Dense da = Dense.of(a, shape), db = Dense.of(b, shape);
            Parallel.forRange(n, GRAIN, (i0, i1) -> kernel(op, da.a, da.off + i0, db.a, db.off + i0, out, i0, i1 - i0));
        }
        Tensor result = Tensor.of(out, shape);
        int[] as = a.shape(), bs = b.shape();
        return Tensor.record(result, op.name().toLowerCase(), g -> switch (op) {
            case ADD -> new Tensor[]{a.requiresGrad() ? g.sumTo(as) : null, b.requiresGrad() ? g.sumTo(bs) : null};
            case SUB -> new Tensor[]{a.requiresGrad() ? g.sumTo(as) : null, b.requiresGrad() ? g.neg().sumTo(bs) : null};
            case MUL -> new Tensor[]{a.requiresGrad() ? g.mul(b).sumTo(as) : null, b.requiresGrad() ? g.mul(a).sumTo(bs) : null};
            case DIV -> new Tensor[]{a.requiresGrad() ? g.div(b).sumTo(as) : null,
                    b.requiresGrad() ? g.mul(result).div(b).neg().sumTo(bs) : null};
            case MAX, MIN -> {
                // Ties send the gradient to a, like taking a branch.
                Tensor pickA = op == Op.MAX ? a.ge(b) : a.le(b);
                yield new Tensor[]{a.requiresGrad() ? g.mul(pickA).sumTo(as) : null,
                        b.requiresGrad() ? g.mul(pickA.neg().add(1f)).sumTo(bs) : null};
            }
            case POW -> new Tensor[]{a.requiresGrad() ? g.mul(b).mul(a.pow(b.sub(1f))).sumTo(as) : null,
                    b.requiresGrad() ? g.mul(result).mul(a.log()).sumTo(bs) : null};
        }, a, b);
    }

    private static boolean isTrailing(int[] small, int[] big) {
        int s = small.length;
        while (s > 0 && small[small.length - s] == 1 && s > 0) s--;
        if (s > big.length) return false;
        for (int i = 0; i < s; i++) {
            if (small[small.length - s + i] != big[big.length - s + i]) return false;
        }
        return true;
    }

    private static void kernel(Op op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> VectorMath.add(a, ao, b, bo, out, oo, n);
            case SUB -> VectorMath.sub(a, ao, b, bo, out, oo, n);
            case MUL -> VectorMath.mul(a, ao, b, bo, out, oo, n);
            case DIV -> VectorMath.div(a, ao, b, bo, out, oo, n);
            case MAX -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a[ao + i], b[bo + i]); }
            case MIN -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a[ao + i], b[bo + i]); }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.pow(a[ao + i], b[bo + i]); }
        }
    }

    static Tensor addScalar(Tensor x, float c) {
        return affine(x, 1f, c);
    }

    static Tensor mulScalar(Tensor x, float s) {
        return affine(x, s, 0f);
    }

    /** x * s + c in one pass. */
    private static Tensor affine(Tensor x, float s, float c) {
        Dense d = Dense.of(x, x.shape());
        float[] out = new float[x.numel()];
        Parallel.forRange(out.length, GRAIN, (i0, i1) -> VectorMath.scaleShift(d.a, d.off + i0, s, c, out, i0, i1 - i0));
        return Tensor.record(Tensor.of(out, x.shape()), s == 1f ? "addScalar" : "mulScalar",
                g -> new Tensor[]{s == 1f ? g : g.mul(s)}, x);
    }

    static Tensor pow(Tensor x, float p) {
        if (p == 1f) return x.mul(1f);
        if (p == 0.5f) return x.sqrt();
        Dense d = Dense.of(x, x.shape());
        float[] out = new float[x.numel()];
        if (p == 2f) {
            for (int i = 0; i < out.length; i++) { float v = d.a[d.off + i]; out[i] = v * v; }
        } else {
            for (int i = 0; i < out.length; i++) out[i] = (float) Math.pow(d.a[d.off + i], p);
        }
        return Tensor.record(Tensor.of(out, x.shape()), "pow", g -> new Tensor[]{g.mul(x.pow(p - 1f)).mul(p)}, x);
    }

    static Tensor unary(Fn fn, Tensor x) {
        Dense d = Dense.of(x, x.shape());
        float[] xs = d.a;
        int xo = d.off;
        float[] out = new float[x.numel()];
        Parallel.forRange(out.length, GRAIN, (i0, i1) -> forward(fn, xs, xo, out, i0, i1));
        Tensor y = Tensor.of(out, x.shape());
        return Tensor.record(y, fn.name().toLowerCase(), g -> {
            Dense dg = Dense.of(g, x.shape());
            float[] gi = new float[out.length];
            Parallel.forRange(gi.length, GRAIN, (i0, i1) -> backward(fn, dg.a, dg.off, xs, xo, out, gi, i0, i1));
            return new Tensor[]{Tensor.of(gi, x.shape())};
        }, x);
    }

    private static void forward(Fn fn, float[] x, int xo, float[] y, int i0, int i1) {
        switch (fn) {
            case RELU -> VectorMath.relu(x, xo + i0, y, i0, i1 - i0);
            case EXP -> VectorMath.exp(x, xo + i0, y, i0, i1 - i0);
            case LOG -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.log(x[xo + i]); }
            case SQRT -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.sqrt(x[xo + i]); }
            case ABS -> { for (int i = i0; i < i1; i++) y[i] = Math.abs(x[xo + i]); }
            case TANH -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.tanh(x[xo + i]); }
            case SIGMOID -> { for (int i = i0; i < i1; i++) y[i] = sigmoid(x[xo + i]); }
            case GELU -> { for (int i = i0; i < i1; i++) { double v = x[xo + i]; y[i] = (float) (v * normalCdf(v)); } }
            case SILU -> { for (int i = i0; i < i1; i++) y[i] = x[xo + i] * sigmoid(x[xo + i]); }
            case SIN -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.sin(x[xo + i]); }
            case COS -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.cos(x[xo + i]); }
        }
    }

    private static void backward(Fn fn, float[] g, int go, float[] x, int xo, float[] y, float[] gi, int i0, int i1) {
        switch (fn) {
            case RELU -> VectorMath.reluBackward(g, go + i0, x, xo + i0, gi, i0, i1 - i0);
            case EXP -> VectorMath.mul(g, go + i0, y, i0, gi, i0, i1 - i0);
            case LOG -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] / x[xo + i]; }
            case SQRT -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * 0.5f / y[i]; }
            case ABS -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * Math.signum(x[xo + i]); }
            case TANH -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * (1f - y[i] * y[i]); }
            case SIGMOID -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * y[i] * (1f - y[i]); }
            case GELU -> {
                for (int i = i0; i < i1; i++) {
                    double v = x[xo + i];
                    gi[i] = (float) (g[go + i] * (normalCdf(v) + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI)));
                }
            }
            case SILU -> {
                for (int i = i0; i < i1; i++) {
                    float s = sigmoid(x[xo + i]);
                    gi[i] = g[go + i] * (s + x[xo + i] * s * (1f - s));
                }
            }
            case SIN -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * (float) Math.cos(x[xo + i]); }
            case COS -> { for (int i = i0; i < i1; i++) gi[i] = -g[go + i] * (float) Math.sin(x[xo + i]); }
        }
    }

    static float sigmoid(float v) {
        // Split on the sign so exp never overflows.
        if (v >= 0) return (float) (1.0 / (1.0 + Math.exp(-v)));
        double e = Math.exp(v);
        return (float) (e / (1.0 + e));
    }

    /** Φ(x) = (1 + erf(x/√2)) / 2. */
    static double normalCdf(double x) {
        return 0.5 * (1.0 + erf(x / Math.sqrt(2.0)));
    }

    /** erf with absolute error below 1.2e-7 (Numerical Recipes' erfc Chebyshev fit). */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - r : r - 1.0;
    }

    static Tensor leakyRelu(Tensor x, float slope) {
        float[] v = x.toArray();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] > 0 ? v[i] : slope * v[i];
        return Tensor.record(Tensor.of(out, x.shape()), "leakyRelu", g -> {
            float[] gv = g.toArray();
            for (int i = 0; i < gv.length; i++) if (v[i] <= 0) gv[i] *= slope;
            return new Tensor[]{Tensor.of(gv, x.shape())};
        }, x);
    }

    static Tensor clamp(Tensor x, float min, float max) {
        float[] v = x.toArray();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.min(max, Math.max(min, v[i]));
        return Tensor.record(Tensor.of(out, x.shape()), "clamp", g -> {
            float[] gv = g.toArray();
            for (int i = 0; i < gv.length; i++) if (v[i] < min || v[i] > max) gv[i] = 0f;
            return new Tensor[]{Tensor.of(gv, x.shape())};
        }, x);
    }

    static Tensor compare(Cmp cmp, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        Dense da = Dense.of(a, shape), db = Dense.of(b, shape);
        float[] out = new float[Shape.numel(shape)];
        for (int i = 0; i < out.length; i++) {
            float x = da.a[da.off + i], y = db.a[db.off + i];
            boolean r = switch (cmp) {
                case EQ -> x == y;
                case NE -> x != y;
                case GT -> x > y;
                case GE -> x >= y;
                case LT -> x < y;
                case LE -> x <= y;
            };
            out[i] = r ? 1f : 0f;
        }
        return Tensor.of(out, shape);
    }

    static void addInPlace(Tensor target, Tensor g) {
        if (target.isContiguous() && Arrays.equals(target.shape(), g.shape()) && g.isContiguous()) {
            VectorMath.add(target.data(), target.offset(), g.data(), g.offset(), target.data(), target.offset(), target.numel());
        } else {
            Tensor sum = target.detach().add(g.detach());
            target.copyFrom(sum);
        }
    }

    static void mulInPlace(Tensor target, float c) {
        if (target.isContiguous()) {
            VectorMath.scaleShift(target.data(), target.offset(), c, 0f, target.data(), target.offset(), target.numel());
        } else {
            target.copyFrom(target.detach().mul(c));
        }
    }
}
