package gradus.autograd;

import gradus.autograd.ElementwiseOps.BinaryFn;
import gradus.autograd.ElementwiseOps.Cmp;
import gradus.autograd.ElementwiseOps.UnaryFn;
import gradus.kernels.Erf;
import gradus.kernels.GeluKernel;
import gradus.kernels.Gemm;
import gradus.kernels.Parallel;
import gradus.kernels.VectorMath;
import gradus.tensor.DType;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/** float32 kernels on the Vector API and GEMM (Java or OpenBLAS) of {@code gradus.kernels}; big loops split over the pool. */
final class FastBackend implements Backend {
    static final FastBackend INSTANCE = new FastBackend();
    private static final int GRAIN = 1 << 15;

    private FastBackend() {}

    @Override
    public String name() {
        return "fast";
    }

    @Override
    public boolean fusedKernels() {
        return true;
    }

    /** A tensor's values broadcast to {@code shape} as (array, offset) in row-major order; copies only when needed. */
    private record Dense(float[] a, int off) {
        static Dense of(Tensor t, int[] shape) {
            if (Arrays.equals(t.shape(), shape) && t.isContiguous()) return new Dense(t.data(), t.offset());
            return new Dense(t.detach().expand(shape).toArray(), 0);
        }
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public Tensor binary(BinaryFn op, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        float[] out = new float[Shape.numel(shape)];
        int n = out.length;
        int inner = b.numel();
        if (op != BinaryFn.POW && b.isContiguous() && inner > 0 && inner < n && isTrailing(b.shape(), shape)
                && Arrays.equals(a.shape(), shape) && a.isContiguous()) {
            // a[rows, inner] op b[inner]: the bias-add pattern, no broadcast copy of b.
            float[] ad = a.data(), bd = b.data();
            int ao = a.offset(), bo = b.offset();
            Parallel.forRange(n / inner, Math.max(1, GRAIN / inner), (r0, r1) -> {
                for (int r = r0; r < r1; r++) binaryKernel(op, ad, ao + r * inner, bd, bo, out, r * inner, inner);
            });
        } else {
            Dense da = Dense.of(a, shape), db = Dense.of(b, shape);
            Parallel.forRange(n, GRAIN, (i0, i1) -> binaryKernel(op, da.a, da.off + i0, db.a, db.off + i0, out, i0, i1 - i0));
        }
        return Tensor.of(out, shape);
    }

    private static boolean isTrailing(int[] small, int[] big) {
        int s = small.length;
        while (s > 0 && small[small.length - s] == 1) s--;
        if (s > big.length) return false;
        for (int i = 0; i < s; i++) {
            if (small[small.length - s + i] != big[big.length - s + i]) return false;
        }
        return true;
    }

    private static void binaryKernel(BinaryFn op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
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

    @Override
    public Tensor affine(Tensor x, float s, float c) {
        Dense d = Dense.of(x, x.shape());
        float[] out = new float[x.numel()];
        Parallel.forRange(out.length, GRAIN, (i0, i1) -> VectorMath.scaleShift(d.a, d.off + i0, s, c, out, i0, i1 - i0));
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor pow(Tensor x, float p) {
        Dense d = Dense.of(x, x.shape());
        float[] out = new float[x.numel()];
        if (p == 2f) {
            for (int i = 0; i < out.length; i++) { float v = d.a[d.off + i]; out[i] = v * v; }
        } else {
            for (int i = 0; i < out.length; i++) out[i] = (float) Math.pow(d.a[d.off + i], p);
        }
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor unary(UnaryFn fn, Tensor x) {
        Dense d = Dense.of(x, x.shape());
        float[] xs = d.a;
        int xo = d.off;
        float[] out = new float[x.numel()];
        Parallel.forRange(out.length, fn == UnaryFn.GELU ? 1 << 14 : GRAIN, (i0, i1) -> unaryKernel(fn, xs, xo, out, i0, i1));
        return Tensor.of(out, x.shape());
    }

    private static void unaryKernel(UnaryFn fn, float[] x, int xo, float[] y, int i0, int i1) {
        switch (fn) {
            case RELU -> VectorMath.relu(x, xo + i0, y, i0, i1 - i0);
            case EXP -> VectorMath.exp(x, xo + i0, y, i0, i1 - i0);
            case GELU -> GeluKernel.forward(x, xo + i0, y, i0, i1 - i0);
            case LOG -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.log(x[xo + i]); }
            case SQRT -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.sqrt(x[xo + i]); }
            case ABS -> { for (int i = i0; i < i1; i++) y[i] = Math.abs(x[xo + i]); }
            case TANH -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.tanh(x[xo + i]); }
            case SIGMOID -> { for (int i = i0; i < i1; i++) y[i] = sigmoid(x[xo + i]); }
            case SILU -> { for (int i = i0; i < i1; i++) y[i] = x[xo + i] * sigmoid(x[xo + i]); }
            case SIN -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.sin(x[xo + i]); }
            case COS -> { for (int i = i0; i < i1; i++) y[i] = (float) Math.cos(x[xo + i]); }
            case ERF -> { for (int i = i0; i < i1; i++) y[i] = Erf.erfFloat(x[xo + i]); }
        }
    }

    @Override
    public Tensor unaryGrad(UnaryFn fn, Tensor g, Tensor x, Tensor y) {
        int[] shape = x.shape();
        Dense dg = Dense.of(g, shape), dx = Dense.of(x, shape), dy = Dense.of(y, shape);
        float[] gi = new float[Shape.numel(shape)];
        Parallel.forRange(gi.length, fn == UnaryFn.GELU ? 1 << 14 : GRAIN,
                (i0, i1) -> unaryGradKernel(fn, dg.a, dg.off, dx.a, dx.off, dy.a, dy.off, gi, i0, i1));
        return Tensor.of(gi, shape);
    }

    private static void unaryGradKernel(UnaryFn fn, float[] g, int go, float[] x, int xo, float[] y, int yo, float[] gi, int i0, int i1) {
        switch (fn) {
            case RELU -> VectorMath.reluBackward(g, go + i0, x, xo + i0, gi, i0, i1 - i0);
            case EXP -> VectorMath.mul(g, go + i0, y, yo + i0, gi, i0, i1 - i0);
            case GELU -> GeluKernel.backward(g, go + i0, x, xo + i0, gi, i0, i1 - i0);
            case LOG -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] / x[xo + i]; }
            case SQRT -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * 0.5f / y[yo + i]; }
            case ABS -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * Math.signum(x[xo + i]); }
            case TANH -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * (1f - y[yo + i] * y[yo + i]); }
            case SIGMOID -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * y[yo + i] * (1f - y[yo + i]); }
            case SILU -> {
                for (int i = i0; i < i1; i++) {
                    float s = sigmoid(x[xo + i]);
                    gi[i] = g[go + i] * (s + x[xo + i] * s * (1f - s));
                }
            }
            case SIN -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * (float) Math.cos(x[xo + i]); }
            case COS -> { for (int i = i0; i < i1; i++) gi[i] = -g[go + i] * (float) Math.sin(x[xo + i]); }
            case ERF -> { for (int i = i0; i < i1; i++) gi[i] = g[go + i] * (float) Erf.derivative(x[xo + i]); }
        }
    }

    private static float sigmoid(float v) {
        return (float) UnaryFn.sigmoid(v);
    }

    @Override
    public Tensor leakyRelu(Tensor x, float slope) {
        float[] v = x.toArray();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] > 0 ? v[i] : slope * v[i];
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor clamp(Tensor x, float min, float max) {
        float[] v = x.toArray();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.min(max, Math.max(min, v[i]));
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor compare(Cmp cmp, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        Dense da = Dense.of(a, shape), db = Dense.of(b, shape);
        float[] out = new float[Shape.numel(shape)];
        for (int i = 0; i < out.length; i++) {
            out[i] = cmp.holds(da.a[da.off + i], db.a[db.off + i]) ? 1f : 0f;
        }
        return Tensor.of(out, shape);
    }

    @Override
    public void addInPlace(Tensor target, Tensor g) {
        if (target.isContiguous() && Arrays.equals(target.shape(), g.shape()) && g.isContiguous()) {
            VectorMath.add(target.data(), target.offset(), g.data(), g.offset(), target.data(), target.offset(), target.numel());
        } else {
            target.copyFrom(binary(BinaryFn.ADD, target, g));
        }
    }

    @Override
    public void scaleInPlace(Tensor target, float c) {
        if (target.isContiguous()) {
            VectorMath.scaleShift(target.data(), target.offset(), c, 0f, target.data(), target.offset(), target.numel());
        } else {
            target.copyFrom(affine(target, c, 0f));
        }
    }

    // ---------------------------------------------------------------- reductions

    /** A contiguous input seen as [outer, n, inner], n the reduced dimension. */
    private record Layout(int outer, int n, int inner) {
        static Layout of(int[] shape, int dim) {
            int outer = 1, inner = 1;
            for (int i = 0; i < dim; i++) outer *= shape[i];
            for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
            return new Layout(outer, shape[dim], inner);
        }
    }

    static int[] reducedShape(int[] shape, int dim, boolean keepDim) {
        if (keepDim) {
            int[] kept = shape.clone();
            kept[dim] = 1;
            return kept;
        }
        int[] dropped = new int[shape.length - 1];
        for (int i = 0, k = 0; i < shape.length; i++) if (i != dim) dropped[k++] = shape[i];
        return dropped;
    }

    @Override
    public Tensor sumAll(Tensor x) {
        Tensor c = x.contiguous();
        return Tensor.scalar(VectorMath.sum(c.data(), c.offset(), c.numel()));
    }

    @Override
    public Tensor sum(Tensor x, int d, boolean keepDim) {
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
        return Tensor.of(out, reducedShape(x.shape(), d, keepDim));
    }

    @Override
    public IntTensor argExtreme(Tensor x, int d, boolean max) {
        Tensor c = x.contiguous();
        Layout l = Layout.of(x.shape(), d);
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
        return IntTensor.of(out, reducedShape(x.shape(), d, false));
    }

    @Override
    public Tensor softmax(Tensor x, int d, boolean log) {
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
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor softmaxGrad(Tensor g, Tensor y, int d, boolean log) {
        Layout l = Layout.of(y.shape(), d);
        float[] gv = g.toArray(), out = y.contiguousData();
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
        return Tensor.of(gi, y.shape());
    }

    // ---------------------------------------------------------------- indexing

    /** Row-major offsets into a contiguous [shape] of each element of an index of shape {@code is}, along dim. */
    static int[] gatherOffsets(int[] shape, int dim, IntTensor index) {
        int[] is = index.shape(), strides = Shape.contiguousStrides(shape), ix = index.data();
        int[] offsets = new int[ix.length], pos = new int[is.length];
        for (int e = 0; e < ix.length; e++) {
            int off = 0;
            for (int k = 0; k < is.length; k++) off += (k == dim ? ix[e] : pos[k]) * strides[k];
            offsets[e] = off;
            for (int k = is.length - 1; k >= 0; k--) {
                if (++pos[k] < is[k]) break;
                pos[k] = 0;
            }
        }
        return offsets;
    }

    @Override
    public Tensor gather(Tensor x, int dim, IntTensor index) {
        float[] src = x.contiguousData();
        int[] at = gatherOffsets(x.shape(), dim, index);
        float[] out = new float[at.length];
        for (int e = 0; e < at.length; e++) out[e] = src[at[e]];
        return Tensor.of(out, index.shape());
    }

    @Override
    public Tensor scatterAdd(Tensor g, int[] shape, int dim, IntTensor index) {
        float[] gv = g.toArray(), gi = new float[Shape.numel(shape)];
        int[] at = gatherOffsets(shape, dim, index);
        for (int e = 0; e < gv.length; e++) gi[at[e]] += gv[e];
        return Tensor.of(gi, shape);
    }

    @Override
    public Tensor indexSelect(Tensor x, int d, IntTensor index) {
        int[] xs = x.shape();
        Layout l = Layout.of(xs, d);
        int[] ix = index.data();
        Tensor c = x.contiguous();
        float[] src = c.data();
        int so = c.offset(), n = l.n, inner = l.inner;
        float[] out = new float[l.outer * ix.length * inner];
        for (int o = 0; o < l.outer; o++) {
            for (int j = 0; j < ix.length; j++) {
                System.arraycopy(src, so + (o * n + ix[j]) * inner, out, (o * ix.length + j) * inner, inner);
            }
        }
        int[] os = xs.clone();
        os[d] = ix.length;
        return Tensor.of(out, os);
    }

    @Override
    public Tensor indexAdd(Tensor g, int[] shape, int d, IntTensor index) {
        Layout l = Layout.of(shape, d);
        int[] ix = index.data();
        float[] gv = g.toArray(), gi = new float[Shape.numel(shape)];
        for (int o = 0; o < l.outer; o++) {
            for (int j = 0; j < ix.length; j++) {
                int dst = (o * l.n + ix[j]) * l.inner, s = (o * ix.length + j) * l.inner;
                for (int q = 0; q < l.inner; q++) gi[dst + q] += gv[s + q];
            }
        }
        return Tensor.of(gi, shape);
    }

    @Override
    public Tensor maskedFill(Tensor x, Tensor mask, float value) {
        int[] shape = x.shape();
        float[] mv = mask.detach().expand(shape).toArray();
        float[] out = x.toArray();
        for (int i = 0; i < out.length; i++) if (mv[i] != 0f) out[i] = value;
        return Tensor.of(out, shape);
    }

    @Override
    public Tensor where(Tensor condition, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(condition.shape(), Shape.broadcast(a.shape(), b.shape()));
        float[] c = condition.detach().expand(shape).toArray();
        float[] av = a.detach().expand(shape).toArray(), bv = b.detach().expand(shape).toArray();
        float[] out = new float[c.length];
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0f ? av[i] : bv[i];
        return Tensor.of(out, shape);
    }

    @Override
    public Tensor concat(List<Tensor> parts, int d) {
        int[] shape = parts.get(0).shape();
        int total = 0;
        for (Tensor t : parts) total += t.size(d);
        shape[d] = total;
        DType dtype = parts.stream().anyMatch(t -> t.dtype() != DType.FLOAT32) ? DType.FLOAT64 : DType.FLOAT32;
        Tensor out = Tensor.zeros(dtype, shape);
        int at = 0;
        for (Tensor t : parts) {
            out.narrow(d, at, t.size(d)).copyFrom(t.detach());
            at += t.size(d);
        }
        return out;
    }

    @Override
    public Tensor copy(Tensor x, DType dtype) {
        if (dtype == DType.FLOAT32) return Tensor.of(x.toArray(), x.shape());
        return Tensor.zeros(dtype, x.shape()).copyFrom(x);
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int m = a.size(-2), k = a.size(-1), n = b.size(-1);
        int[] batch = Shape.broadcast(Arrays.copyOf(a.shape(), a.dim() - 2), Arrays.copyOf(b.shape(), b.dim() - 2));
        int[] outShape = with(batch, m, n);
        Operand oa = Operand.of(a.detach().expand(with(batch, m, k))), ob = Operand.of(b.detach().expand(with(batch, k, n)));
        float[] out = new float[Shape.numel(outShape)];
        int batches = Shape.numel(batch);
        int[] idx = new int[batch.length];
        int[] sa = oa.t.strides(), sb = ob.t.strides();
        for (int bi = 0; bi < batches; bi++) {
            int offA = oa.t.offset(), offB = ob.t.offset();
            for (int d = 0; d < batch.length; d++) {
                offA += idx[d] * sa[d];
                offB += idx[d] * sb[d];
            }
            Gemm.sgemm(oa.trans, ob.trans, m, n, k, 1f, oa.t.data(), offA, oa.ld, ob.t.data(), offB, ob.ld,
                    0f, out, bi * m * n, n);
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) break;
                idx[d] = 0;
            }
        }
        return Tensor.of(out, outShape);
    }

    private static int[] with(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    /** A matrix operand as GEMM wants it: rows contiguous, or columns contiguous (a transposed view). */
    private record Operand(Tensor t, boolean trans, int ld) {
        static Operand of(Tensor t) {
            int[] st = t.strides(), sh = t.shape();
            int r = t.dim() - 2;
            int rows = sh[r], cols = sh[r + 1];
            if (st[r + 1] == 1 || cols == 1) return new Operand(t, false, rows == 1 ? Math.max(cols, st[r]) : st[r]);
            if (st[r] == 1 || rows == 1) return new Operand(t, true, cols == 1 ? Math.max(rows, st[r + 1]) : st[r + 1]);
            // Neither layout: copy the matrices once (batch dims of stride 0 stay shared after the copy too).
            return new Operand(Tensor.of(t.toArray(), sh), false, cols);
        }
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        int rows = x.size(0), in = x.size(1), out = w.size(0);
        float[] y = new float[rows * out];
        if (bias != null) {
            float[] b = bias.contiguousData();
            Parallel.forRange(rows, Math.max(1, 16384 / Math.max(1, out)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) System.arraycopy(b, 0, y, r * out, out);
            });
        }
        Gemm.sgemm(false, true, rows, out, in, 1f, x.data(), x.offset(), in, w.data(), w.offset(), in,
                bias == null ? 0f : 1f, y, 0, out);
        return Tensor.of(y, rows, out);
    }

    @Override
    public Tensor linearGradInput(Tensor g, Tensor w) {
        int rows = g.size(0), out = w.size(0), in = w.size(1);
        float[] gx = new float[rows * in];
        Gemm.sgemm(false, false, rows, in, out, 1f, g.data(), g.offset(), out, w.data(), w.offset(), in, 0f, gx, 0, in);
        return Tensor.of(gx, rows, in);
    }

    @Override
    public Tensor linearGradWeight(Tensor g, Tensor x) {
        int rows = g.size(0), out = g.size(1), in = x.size(1);
        float[] gw = new float[out * in];
        Gemm.sgemm(true, false, out, in, rows, 1f, g.data(), g.offset(), out, x.data(), x.offset(), in, 0f, gw, 0, in);
        return Tensor.of(gw, out, in);
    }

    /** Σ over rows, summed in fixed row groups so the result does not depend on the thread count. */
    @Override
    public Tensor columnSums(Tensor g) {
        int rows = g.size(0), cols = g.size(1);
        float[] a = g.data();
        int off = g.offset();
        int groups = Math.min(rows, 16);
        float[][] partial = new float[groups][];
        Parallel.forRange(groups, 1, (q0, q1) -> {
            for (int q = q0; q < q1; q++) {
                float[] s = new float[cols];
                for (int r = (int) ((long) rows * q / groups), end = (int) ((long) rows * (q + 1) / groups); r < end; r++) {
                    VectorMath.add(s, 0, a, off + r * cols, s, 0, cols);
                }
                partial[q] = s;
            }
        });
        float[] sum = groups == 0 ? new float[cols] : Arrays.copyOf(partial[0], cols);
        for (int q = 1; q < groups; q++) VectorMath.add(sum, 0, partial[q], 0, sum, 0, cols);
        return Tensor.of(sum, cols);
    }
}
