package gradus.autograd;

import gradus.autograd.ElementwiseOps.BinaryFn;
import gradus.autograd.ElementwiseOps.Cmp;
import gradus.autograd.ElementwiseOps.UnaryFn;
import gradus.tensor.DType;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.List;

/**
 * Every kernel in plain Java, computed in double from the definitions (no vectorization, no blocking, no
 * threads), for any dtype: the results keep the inputs' dtype (float64 if any input is). The fast paths are
 * tested against it, and float64 gradient checks run on it.
 */
final class ReferenceBackend implements Backend {
    static final ReferenceBackend INSTANCE = new ReferenceBackend();

    private ReferenceBackend() {}

    @Override
    public String name() {
        return "reference";
    }

    private static DType dtype(Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() == DType.FLOAT64) return DType.FLOAT64;
        return DType.FLOAT32;
    }

    /** Row-major values of t broadcast to shape. */
    private static double[] values(Tensor t, int[] shape) {
        return t.detach().expand(shape).toDoubleArray();
    }

    private static Tensor make(double[] v, int[] shape, DType dtype) {
        if (dtype == DType.FLOAT64) return Tensor.of(v, shape);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(f, shape);
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public Tensor unary(UnaryFn fn, Tensor x) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = fn.apply(v[i]);
        return make(v, x.shape(), x.dtype());
    }

    @Override
    public Tensor unaryGrad(UnaryFn fn, Tensor g, Tensor x, Tensor y) {
        int[] shape = x.shape();
        double[] gv = values(g, shape), xv = x.toDoubleArray(), yv = y.toDoubleArray();
        for (int i = 0; i < gv.length; i++) gv[i] *= fn.derivative(xv[i], yv[i]);
        return make(gv, shape, dtype(g, x));
    }

    @Override
    public Tensor binary(BinaryFn fn, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        double[] av = values(a, shape), bv = values(b, shape);
        for (int i = 0; i < av.length; i++) {
            double x = av[i], y = bv[i];
            av[i] = switch (fn) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case MAX -> Math.max(x, y);
                case MIN -> Math.min(x, y);
                case POW -> Math.pow(x, y);
            };
        }
        return make(av, shape, dtype(a, b));
    }

    @Override
    public Tensor affine(Tensor x, float scale, float shift) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = v[i] * scale + shift;
        return make(v, x.shape(), x.dtype());
    }

    @Override
    public Tensor pow(Tensor x, float p) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.pow(v[i], p);
        return make(v, x.shape(), x.dtype());
    }

    @Override
    public Tensor leakyRelu(Tensor x, float slope) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) if (!(v[i] > 0)) v[i] *= slope;
        return make(v, x.shape(), x.dtype());
    }

    @Override
    public Tensor clamp(Tensor x, float min, float max) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.min(max, Math.max(min, v[i]));
        return make(v, x.shape(), x.dtype());
    }

    @Override
    public Tensor compare(Cmp cmp, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        double[] av = values(a, shape), bv = values(b, shape);
        for (int i = 0; i < av.length; i++) {
            av[i] = cmp.holds(av[i], bv[i]) ? 1 : 0;
        }
        return make(av, shape, dtype(a, b));
    }

    @Override
    public void addInPlace(Tensor target, Tensor g) {
        target.copyFrom(binary(BinaryFn.ADD, target, g));
    }

    @Override
    public void scaleInPlace(Tensor target, float c) {
        target.copyFrom(affine(target, c, 0f));
    }

    // ---------------------------------------------------------------- reductions

    /** [outer, n, inner] around dimension d. */
    private static int[] layout(int[] shape, int d) {
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        return new int[]{outer, shape[d], inner};
    }

    @Override
    public Tensor sumAll(Tensor x) {
        double s = 0;
        for (double v : x.toDoubleArray()) s += v;
        return make(new double[]{s}, new int[0], x.dtype());
    }

    @Override
    public Tensor sum(Tensor x, int d, boolean keepDim) {
        int[] l = layout(x.shape(), d);
        double[] v = x.toDoubleArray(), out = new double[l[0] * l[2]];
        for (int o = 0; o < l[0]; o++) {
            for (int k = 0; k < l[1]; k++) {
                for (int i = 0; i < l[2]; i++) out[o * l[2] + i] += v[(o * l[1] + k) * l[2] + i];
            }
        }
        return make(out, FastBackend.reducedShape(x.shape(), d, keepDim), x.dtype());
    }

    @Override
    public IntTensor argExtreme(Tensor x, int d, boolean max) {
        int[] l = layout(x.shape(), d);
        double[] v = x.toDoubleArray();
        int[] out = new int[l[0] * l[2]];
        for (int o = 0; o < l[0]; o++) {
            for (int i = 0; i < l[2]; i++) {
                int best = 0;
                double bv = v[o * l[1] * l[2] + i];
                for (int k = 1; k < l[1]; k++) {
                    double c = v[(o * l[1] + k) * l[2] + i];
                    boolean nanWins = Double.isNaN(c) && !Double.isNaN(bv);
                    if ((max ? c > bv : c < bv) || nanWins) {
                        bv = c;
                        best = k;
                    }
                }
                out[o * l[2] + i] = best;
            }
        }
        return IntTensor.of(out, FastBackend.reducedShape(x.shape(), d, false));
    }

    @Override
    public Tensor softmax(Tensor x, int d, boolean log) {
        int[] l = layout(x.shape(), d);
        double[] v = x.toDoubleArray(), out = new double[v.length];
        for (int o = 0; o < l[0]; o++) {
            for (int i = 0; i < l[2]; i++) {
                int base = o * l[1] * l[2] + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < l[1]; k++) m = Math.max(m, v[base + k * l[2]]);
                if (m == Double.NEGATIVE_INFINITY) m = 0;
                double s = 0;
                for (int k = 0; k < l[1]; k++) s += Math.exp(v[base + k * l[2]] - m);
                for (int k = 0; k < l[1]; k++) {
                    double z = v[base + k * l[2]] - m;
                    out[base + k * l[2]] = log ? z - Math.log(s) : Math.exp(z) / s;
                }
            }
        }
        return make(out, x.shape(), x.dtype());
    }

    @Override
    public Tensor softmaxGrad(Tensor g, Tensor y, int d, boolean log) {
        int[] l = layout(y.shape(), d);
        double[] gv = values(g, y.shape()), yv = y.toDoubleArray(), out = new double[gv.length];
        for (int o = 0; o < l[0]; o++) {
            for (int i = 0; i < l[2]; i++) {
                int base = o * l[1] * l[2] + i;
                double s = 0;
                for (int k = 0; k < l[1]; k++) {
                    int p = base + k * l[2];
                    s += log ? gv[p] : gv[p] * yv[p];
                }
                for (int k = 0; k < l[1]; k++) {
                    int p = base + k * l[2];
                    out[p] = log ? gv[p] - Math.exp(yv[p]) * s : yv[p] * (gv[p] - s);
                }
            }
        }
        return make(out, y.shape(), dtype(g, y));
    }

    // ---------------------------------------------------------------- indexing

    @Override
    public Tensor gather(Tensor x, int dim, IntTensor index) {
        double[] src = x.toDoubleArray();
        int[] at = FastBackend.gatherOffsets(x.shape(), dim, index);
        double[] out = new double[at.length];
        for (int e = 0; e < at.length; e++) out[e] = src[at[e]];
        return make(out, index.shape(), x.dtype());
    }

    @Override
    public Tensor scatterAdd(Tensor g, int[] shape, int dim, IntTensor index) {
        double[] gv = g.toDoubleArray(), out = new double[Shape.numel(shape)];
        int[] at = FastBackend.gatherOffsets(shape, dim, index);
        for (int e = 0; e < gv.length; e++) out[at[e]] += gv[e];
        return make(out, shape, g.dtype());
    }

    @Override
    public Tensor indexSelect(Tensor x, int d, IntTensor index) {
        int[] l = layout(x.shape(), d), ix = index.data();
        double[] v = x.toDoubleArray(), out = new double[l[0] * ix.length * l[2]];
        for (int o = 0; o < l[0]; o++) {
            for (int j = 0; j < ix.length; j++) {
                for (int q = 0; q < l[2]; q++) out[(o * ix.length + j) * l[2] + q] = v[(o * l[1] + ix[j]) * l[2] + q];
            }
        }
        int[] os = x.shape();
        os[d] = ix.length;
        return make(out, os, x.dtype());
    }

    @Override
    public Tensor indexAdd(Tensor g, int[] shape, int d, IntTensor index) {
        int[] l = layout(shape, d), ix = index.data();
        double[] gv = g.toDoubleArray(), out = new double[Shape.numel(shape)];
        for (int o = 0; o < l[0]; o++) {
            for (int j = 0; j < ix.length; j++) {
                for (int q = 0; q < l[2]; q++) out[(o * l[1] + ix[j]) * l[2] + q] += gv[(o * ix.length + j) * l[2] + q];
            }
        }
        return make(out, shape, g.dtype());
    }

    @Override
    public Tensor maskedFill(Tensor x, Tensor mask, float value) {
        double[] v = x.toDoubleArray(), m = values(mask, x.shape());
        for (int i = 0; i < v.length; i++) if (m[i] != 0) v[i] = value;
        return make(v, x.shape(), x.dtype());
    }

    @Override
    public Tensor where(Tensor condition, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(condition.shape(), Shape.broadcast(a.shape(), b.shape()));
        double[] c = values(condition, shape), av = values(a, shape), bv = values(b, shape);
        for (int i = 0; i < c.length; i++) c[i] = c[i] != 0 ? av[i] : bv[i];
        return make(c, shape, dtype(a, b));
    }

    @Override
    public Tensor concat(List<Tensor> parts, int d) {
        return FastBackend.INSTANCE.concat(parts, d); // a copy in the storage's own type: no arithmetic
    }

    @Override
    public Tensor copy(Tensor x, DType dtype) {
        return Tensor.zeros(dtype, x.shape()).copyFrom(x);
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int m = a.size(-2), k = a.size(-1), n = b.size(-1);
        int[] batch = Shape.broadcast(java.util.Arrays.copyOf(a.shape(), a.dim() - 2), java.util.Arrays.copyOf(b.shape(), b.dim() - 2));
        double[] av = values(a, with(batch, m, k)), bv = values(b, with(batch, k, n));
        int batches = Shape.numel(batch);
        double[] out = new double[batches * m * n];
        for (int q = 0; q < batches; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += av[(q * m + i) * k + p] * bv[(q * k + p) * n + j];
                    out[(q * m + i) * n + j] = s;
                }
            }
        }
        return make(out, with(batch, m, n), dtype(a, b));
    }

    private static int[] with(int[] batch, int r, int c) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Tensor y = matmul(x, w.transpose(0, 1));
        return bias == null ? y : binary(BinaryFn.ADD, y, bias);
    }

    @Override
    public Tensor linearGradInput(Tensor g, Tensor w) {
        return matmul(g, w);
    }

    @Override
    public Tensor linearGradWeight(Tensor g, Tensor x) {
        return matmul(g.transpose(0, 1), x);
    }

    @Override
    public Tensor columnSums(Tensor g) {
        return sum(g, 0, false);
    }
}
