package gradus.tensor;

import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;

/**
 * Reductions along one dimension, and softmax. A contiguous input is seen as
 * {@code [outer, n, inner]} where {@code n} is the reduced dimension.
 */
final class Reductions {
    private Reductions() {}

    private record Layout(int outer, int n, int inner, int[] keptShape, int[] droppedShape) {
        static Layout of(int[] shape, int dim) {
            int outer = 1, inner = 1;
            for (int i = 0; i < dim; i++) outer *= shape[i];
            for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
            int[] kept = shape.clone();
            kept[dim] = 1;
            int[] dropped = new int[shape.length - 1];
            for (int i = 0, k = 0; i < shape.length; i++) if (i != dim) dropped[k++] = shape[i];
            return new Layout(outer, shape[dim], inner, kept, dropped);
        }

        int[] out(boolean keepDim) {
            return keepDim ? keptShape : droppedShape;
        }
    }

    static Tensor sumAll(Tensor x) {
        Tensor c = x.contiguous();
        float s = VectorMath.sum(c.data(), c.offset(), c.numel());
        int[] shape = x.shape();
        return Tensor.record(Tensor.scalar(s), "sum", g -> new Tensor[]{g.expand(shape)}, x);
    }

    static Tensor sum(Tensor x, int dim, boolean keepDim) {
        int d = Shape.dim(dim, x.dim());
        Tensor c = x.contiguous();
        float[] xs = c.data();
        int xo = c.offset();
        Layout l = Layout.of(x.shape(), d);
        float[] out = new float[l.outer * l.inner];
        if (l.inner == 1) {
            Parallel.forRange(l.outer, Math.max(1, 4096 / Math.max(1, l.n)), (o0, o1) -> {
                for (int o = o0; o < o1; o++) out[o] = VectorMath.sum(xs, xo + o * l.n, l.n);
            });
        } else {
            for (int o = 0; o < l.outer; o++) {
                for (int k = 0; k < l.n; k++) {
                    VectorMath.add(out, o * l.inner, xs, xo + (o * l.n + k) * l.inner, out, o * l.inner, l.inner);
                }
            }
        }
        int[] shape = x.shape();
        return Tensor.record(Tensor.of(out, l.out(keepDim)), "sum",
                g -> new Tensor[]{(keepDim ? g : g.unsqueeze(d)).expand(shape)}, x);
    }

    static Tensor var(Tensor x, int dim, boolean keepDim, boolean unbiased) {
        int n = x.size(dim);
        Tensor centered = x.sub(x.mean(dim, true));
        return centered.mul(centered).sum(dim, keepDim).div(Math.max(1, unbiased ? n - 1 : n));
    }

    /** Max or min values along a dimension; the gradient goes to the first extreme element. */
    static Tensor extreme(Tensor x, int dim, boolean keepDim, boolean max) {
        int d = Shape.dim(dim, x.dim());
        IntTensor idx = argExtreme(x, d, max);
        Tensor c = x.contiguous();
        Layout l = Layout.of(x.shape(), d);
        float[] xs = c.data();
        int xo = c.offset();
        float[] out = new float[l.outer * l.inner];
        int[] ix = idx.data();
        for (int o = 0; o < l.outer; o++) {
            for (int i = 0; i < l.inner; i++) out[o * l.inner + i] = xs[xo + (o * l.n + ix[o * l.inner + i]) * l.inner + i];
        }
        int[] shape = x.shape();
        return Tensor.record(Tensor.of(out, l.out(keepDim)), max ? "max" : "min", g -> {
            float[] gv = g.toArray();
            float[] gi = new float[Shape.numel(shape)];
            for (int o = 0; o < l.outer; o++) {
                for (int i = 0; i < l.inner; i++) gi[(o * l.n + ix[o * l.inner + i]) * l.inner + i] = gv[o * l.inner + i];
            }
            return new Tensor[]{Tensor.of(gi, shape)};
        }, x);
    }

    static IntTensor argExtreme(Tensor x, int dim, boolean max) {
        int d = Shape.dim(dim, x.dim());
        Tensor c = x.contiguous();
        Layout l = Layout.of(x.shape(), d);
        if (l.n == 0) throw new IllegalArgumentException("cannot take arg" + (max ? "max" : "min") + " over an empty dimension");
        float[] xs = c.data();
        int xo = c.offset();
        int[] out = new int[l.outer * l.inner];
        for (int o = 0; o < l.outer; o++) {
            for (int i = 0; i < l.inner; i++) {
                int base = xo + o * l.n * l.inner + i, best = 0;
                float bv = xs[base];
                for (int k = 1; k < l.n; k++) {
                    float v = xs[base + k * l.inner];
                    if (max ? v > bv || (Float.isNaN(v) && !Float.isNaN(bv)) : v < bv || (Float.isNaN(v) && !Float.isNaN(bv))) {
                        bv = v;
                        best = k;
                    }
                }
                out[o * l.inner + i] = best;
            }
        }
        return IntTensor.of(out, l.droppedShape.length == 0 ? new int[0] : l.droppedShape);
    }

    static Tensor logSumExp(Tensor x, int dim, boolean keepDim) {
        int d = Shape.dim(dim, x.dim());
        Tensor m = x.detach().max(d, true);
        Tensor lse = x.sub(m).exp().sum(d, true).log().add(m);
        return keepDim ? lse : lse.squeeze(d);
    }

    /** Numerically stable softmax or log-softmax (max subtracted first). */
    static Tensor softmax(Tensor x, int dim, boolean log) {
        int d = Shape.dim(dim, x.dim());
        Tensor c = x.contiguous();
        Layout l = Layout.of(x.shape(), d);
        float[] xs = c.data();
        int xo = c.offset();
        float[] out = new float[x.numel()];
        Parallel.forRange(l.outer, Math.max(1, 8192 / Math.max(1, l.n * l.inner)), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                for (int i = 0; i < l.inner; i++) {
                    int base = o * l.n * l.inner + i;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int k = 0; k < l.n; k++) m = Math.max(m, xs[xo + base + k * l.inner]);
                    if (m == Float.NEGATIVE_INFINITY) m = 0f; // an all -inf row stays -inf/0 without NaN from inf-inf
                    double s = 0;
                    for (int k = 0; k < l.n; k++) {
                        float e = (float) Math.exp(xs[xo + base + k * l.inner] - m);
                        out[base + k * l.inner] = e;
                        s += e;
                    }
                    if (log) {
                        // (x - m) - log s: subtracting the max first keeps float precision for large logits
                        float ls = (float) Math.log(s);
                        for (int k = 0; k < l.n; k++) out[base + k * l.inner] = (xs[xo + base + k * l.inner] - m) - ls;
                    } else {
                        float inv = (float) (1.0 / s);
                        for (int k = 0; k < l.n; k++) out[base + k * l.inner] *= inv;
                    }
                }
            }
        });
        Tensor y = Tensor.of(out, x.shape());
        return Tensor.record(y, log ? "logSoftmax" : "softmax", g -> {
            float[] gv = g.toArray();
            float[] gi = new float[gv.length];
            for (int o = 0; o < l.outer; o++) {
                for (int i = 0; i < l.inner; i++) {
                    int base = o * l.n * l.inner + i;
                    double s = 0;
                    for (int k = 0; k < l.n; k++) {
                        int p = base + k * l.inner;
                        s += log ? gv[p] : gv[p] * out[p];
                    }
                    for (int k = 0; k < l.n; k++) {
                        int p = base + k * l.inner;
                        gi[p] = log ? (float) (gv[p] - Math.exp(out[p]) * s) : (float) (out[p] * (gv[p] - s));
                    }
                }
            }
            return new Tensor[]{Tensor.of(gi, x.shape())};
        }, x);
    }
}
