package gradus.tensor;

import gradus.autograd.GradMode;
import gradus.autograd.Backend;
import gradus.autograd.ElementwiseOps;
import gradus.autograd.ElementwiseOps.BinaryFn;
import gradus.autograd.ElementwiseOps.Cmp;
import gradus.autograd.ElementwiseOps.UnaryFn;
import gradus.autograd.Engine;
import gradus.autograd.IndexingOps;
import gradus.autograd.LinalgOps;
import gradus.autograd.Node;
import gradus.autograd.Ops;
import gradus.autograd.ReductionOps;
import gradus.autograd.ShapeOps;

import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional tensor: a {@link Storage} (a heap {@code float[]} for {@link DType#FLOAT32}, {@code double[]}
 * for {@link DType#FLOAT64}) seen through a shape, strides and an offset, so views (reshape, transpose, narrow,
 * expand…) cost no copy. Every differentiable method runs an op of {@code gradus.autograd}, which records a
 * {@link Node} when an input requires grad; {@link #backward()} differentiates through them.
 * The GC owns memory: nothing needs closing.
 */
public final class Tensor {
    static {
        Ops.bind(Tensor::attach);
    }

    private final Storage storage;
    /** The storage's array when it is float32 (the fast paths read it directly), else null. */
    private final float[] data;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;

    Tensor(float[] data, int[] shape, int[] strides, int offset) {
        this.storage = new Storage.HeapFloat(data);
        this.data = data;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    private Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.data = storage instanceof Storage.HeapFloat(float[] a) ? a : null;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** The op layer's hook: marks {@code out} as computed by {@code node}. */
    private static void attach(Tensor out, Node node) {
        out.requiresGrad = true;
        out.gradFn = node;
    }

    // ---------------------------------------------------------------- creation

    /** Wraps {@code data} (no copy) in a contiguous tensor; with no shape, 1-d. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.length == 0 && data.length != 1 ? new int[]{data.length} : shape.clone();
        if (shape.length == 0 && data.length == 1) s = new int[0];
        if (Shape.numel(s) != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " values but shape "
                    + Shape.str(s) + " needs " + Shape.numel(s));
        }
        return new Tensor(data, s, Shape.contiguousStrides(s), 0);
    }

    /** Wraps {@code data} (no copy) in a contiguous float64 tensor; with no shape, 1-d. */
    public static Tensor of(double[] data, int... shape) {
        int[] s = shape.length == 0 && data.length != 1 ? new int[]{data.length} : shape.clone();
        if (Shape.numel(s) != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " values but shape "
                    + Shape.str(s) + " needs " + Shape.numel(s));
        }
        return new Tensor(new Storage.HeapDouble(data), s, Shape.contiguousStrides(s), 0);
    }

    /** A contiguous tensor over {@code storage} (no copy). */
    public static Tensor of(Storage storage, int... shape) {
        if (Shape.numel(shape) != storage.size()) {
            throw new IllegalArgumentException("storage has " + storage.size() + " values but shape "
                    + Shape.str(shape) + " needs " + Shape.numel(shape));
        }
        return new Tensor(storage, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /** Zeros of the given dtype. */
    public static Tensor zeros(DType dtype, int... shape) {
        return new Tensor(Storage.allocate(dtype, Shape.numel(shape)), shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /** A 2-d tensor from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] d = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return of(d, rows.length, cols);
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[]{value}, new int[0], new int[0], 0);
    }

    public static Tensor zeros(int... shape) {
        return of(new float[Shape.numel(shape)], shape);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        Arrays.fill(d, value);
        return of(d, shape);
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    public static Tensor onesLike(Tensor t) {
        return ones(t.shape);
    }

    /** 0, 1, …, n-1. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** start, start+step, … below end (like {@code torch.arange}). */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0) throw new IllegalArgumentException("arange step must not be zero");
        int n = Math.max(0, (int) Math.ceil((end - start) / step));
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return of(d, n);
    }

    public static Tensor eye(int n) {
        float[] d = new float[n * n];
        for (int i = 0; i < n; i++) d[i * n + i] = 1f;
        return of(d, n, n);
    }

    /** Uniform in [0, 1) from the global generator. */
    public static Tensor rand(int... shape) {
        return uniform(Rng.global(), 0f, 1f, shape);
    }

    /** Standard normal from the global generator. */
    public static Tensor randn(int... shape) {
        return normal(Rng.global(), 0f, 1f, shape);
    }

    public static Tensor uniform(Rng rng, float lo, float hi, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        rng.uniform(d, lo, hi);
        return of(d, shape);
    }

    public static Tensor normal(Rng rng, float mean, float std, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        rng.normal(d, mean, std);
        return of(d, shape);
    }

    /** 1 with probability {@code p}, else 0. */
    public static Tensor bernoulli(Rng rng, float p, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextFloat() < p ? 1f : 0f;
        return of(d, shape);
    }

    // ---------------------------------------------------------------- inspection

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        return shape[Shape.dim(dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    public DType dtype() {
        return storage.dtype();
    }

    /** The storage, shared with every view. */
    public Storage storage() {
        return storage;
    }

    /**
     * The backing float32 array, shared with every view; see {@link #offset()} and {@link #strides()}.
     * Only float32 tensors have one.
     */
    public float[] data() {
        if (data == null) throw notFloat32("data()");
        return data;
    }

    private IllegalStateException notFloat32(String what) {
        return new IllegalStateException(what + " reads a float32 array, but this tensor of shape " + Shape.str(shape) + " is "
                + dtype() + "; use toDoubleArray() or to(DType.FLOAT32)");
    }

    /** The values in {@code dtype}: this tensor when it already is, else a copy that stays in the graph. */
    public Tensor to(DType dtype) {
        return dtype == dtype() ? this : Ops.apply(new ShapeOps.Cast(dtype), this);
    }

    public boolean isContiguous() {
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) return false;
            s *= shape[i];
        }
        return true;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item() needs one element, shape is " + Shape.str(shape));
        return data != null ? data[offset] : (float) storage.get(offset);
    }

    public float get(int... index) {
        return data != null ? data[flatIndex(index)] : (float) storage.get(flatIndex(index));
    }

    /** One element at full precision, for any dtype. */
    public double getDouble(int... index) {
        return storage.get(flatIndex(index));
    }

    /** Writes one element in place (not recorded by autograd). */
    public void set(float value, int... index) {
        if (data != null) data[flatIndex(index)] = value;
        else storage.set(flatIndex(index), value);
    }

    /** Writes one element in place at full precision (not recorded by autograd). */
    public void setDouble(double value, int... index) {
        storage.set(flatIndex(index), value);
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " dimensions, tensor has shape " + Shape.str(shape));
        }
        int off = offset;
        for (int i = 0; i < index.length; i++) {
            int ix = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (ix < 0 || ix >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape " + Shape.str(shape));
            }
            off += ix * strides[i];
        }
        return off;
    }

    /** A row-major copy of the values of a float32 tensor. */
    public float[] toArray() {
        if (data == null) throw notFloat32("toArray()");
        float[] out = new float[numel()];
        Strided.copy(data, offset, strides, out, 0, Shape.contiguousStrides(shape), shape);
        return out;
    }

    /** A row-major copy of the values in double, for any dtype. */
    public double[] toDoubleArray() {
        double[] out = new double[numel()];
        Strided.copy(storage, offset, strides, new Storage.HeapDouble(out), 0, Shape.contiguousStrides(shape), shape);
        return out;
    }

    /** A row-major array of the values (float32); the storage itself when this tensor is contiguous and unshared in layout. */
    public float[] contiguousData() {
        if (data == null) throw notFloat32("contiguousData()");
        return isContiguous() && offset == 0 && data.length == numel() ? data : toArray();
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as a variable whose gradient {@link #backward()} accumulates. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("cannot clear requiresGrad on a non-leaf tensor; use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("gradient shape " + Shape.str(g.shape) + " does not match " + Shape.str(shape));
        }
        this.grad = g;
    }

    /** Drops the accumulated gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        this.grad = null;
    }

    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Adds {@code g} to this leaf's gradient. Called by the autograd engine. */
    public void accumulateGrad(Tensor g) {
        if (grad == null) {
            // Always a private copy: backward functions may hand one tensor to several inputs
            // (add) or pass the caller's seed through, and the next accumulation writes in place.
            grad = g.copy();
        } else {
            grad.addInPlace(g);
        }
    }

    /** Differentiates this scalar with respect to every leaf that requires grad. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward() without a gradient needs a scalar, shape is " + Shape.str(shape)
                    + "; pass a gradient of the same shape");
        }
        Engine.backward(this, Tensor.full(1f, shape).to(dtype()));
    }

    public void backward(Tensor gradient) {
        Engine.backward(this, gradient);
    }

    /**
     * Records {@code backward} for {@code out} when grad mode is on and an input requires grad: the old inline-lambda
     * form, kept only for the layer kernels of {@code gradus.nn} that are not yet ops of {@code gradus.autograd}.
     * New code writes an {@link gradus.autograd.Op}.
     */
    @Deprecated
    public static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        boolean[] needs = new boolean[inputs.length];
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) any |= needs[i] = GradMode.tracks(inputs[i]);
        if (any) attach(out, new Node(op, Ops.edges(inputs, needs), backward));
        return out;
    }

    /** The same values, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    // ---------------------------------------------------------------- views

    /**
     * A view of this tensor's storage with the given layout, outside the graph: the building block of the
     * view ops (use reshape, permute, narrow… in models). The layout must stay inside the storage.
     */
    public Tensor asStrided(int[] newShape, int[] newStrides, int newOffset) {
        if (newShape.length != newStrides.length) {
            throw new IllegalArgumentException("shape " + Shape.str(newShape) + " and strides " + Shape.str(newStrides) + " differ in rank");
        }
        long lo = newOffset, hi = newOffset;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == 0) { lo = 0; hi = -1; break; }
            long span = (long) (newShape[i] - 1) * newStrides[i];
            if (span < 0) lo += span; else hi += span;
        }
        if (hi >= lo && (lo < 0 || hi >= storage.size())) {
            throw new IndexOutOfBoundsException("layout shape " + Shape.str(newShape) + ", strides " + Shape.str(newStrides)
                    + ", offset " + newOffset + " reaches outside a storage of " + storage.size() + " elements");
        }
        return new Tensor(storage, newShape.clone(), newStrides.clone(), newOffset);
    }

    /** A tensor of another shape with the same values; a view when the layout allows, else a copy. */
    public Tensor reshape(int... newShape) {
        int[] s = Shape.infer(numel(), newShape);
        return Ops.apply(new ShapeOps.Reshape(s), contiguous());
    }

    /** Like {@link #reshape} but never copies. */
    public Tensor view(int... newShape) {
        if (!isContiguous()) {
            throw new IllegalStateException("view() needs a contiguous tensor (shape " + Shape.str(shape)
                    + ", strides " + Shape.str(strides) + "); use reshape()");
        }
        return reshape(newShape);
    }

    /** Flattens dimensions {@code start..end} (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        int a = Shape.dim(start, dim()), b = Shape.dim(end, dim());
        int[] s = new int[dim() - (b - a)];
        int k = 0;
        for (int i = 0; i < a; i++) s[k++] = shape[i];
        int m = 1;
        for (int i = a; i <= b; i++) m *= shape[i];
        s[k++] = m;
        for (int i = b + 1; i < dim(); i++) s[k++] = shape[i];
        return reshape(s);
    }

    public Tensor flatten() {
        return reshape(-1);
    }

    public Tensor permute(int... dims) {
        return Ops.apply(ShapeOps.Permute.of(this, dims), this);
    }

    public Tensor transpose(int dim0, int dim1) {
        int[] p = new int[dim()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        int a = Shape.dim(dim0, dim()), b = Shape.dim(dim1, dim());
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Transpose of a 2-d tensor (or swap of the last two dimensions). */
    public Tensor t() {
        if (dim() < 2) return this;
        return transpose(-2, -1);
    }

    /** Elements {@code start..start+length-1} along {@code dim}, as a view. */
    public Tensor narrow(int dim, int start, int length) {
        return Ops.apply(ShapeOps.Narrow.of(this, dim, start, length), this);
    }

    /** Python-style slice {@code [start:end]} along {@code dim}; negative bounds count from the end. */
    public Tensor slice(int dim, int start, int end) {
        int n = size(dim);
        int a = Math.max(0, Math.min(n, start < 0 ? start + n : start));
        int b = Math.max(a, Math.min(n, end < 0 ? end + n : end));
        return narrow(dim, a, b - a);
    }

    /** Index {@code index} along {@code dim}, dropping that dimension. */
    public Tensor select(int dim, int index) {
        int d = Shape.dim(dim, dim());
        int ix = index < 0 ? index + shape[d] : index;
        return narrow(d, ix, 1).squeeze(d);
    }

    /** Broadcasts to {@code newShape} without copying (stride 0 on repeated dimensions). */
    public Tensor expand(int... newShape) {
        ShapeOps.Expand op = ShapeOps.Expand.of(this, newShape);
        return op == null ? this : Ops.apply(op, this);
    }

    public Tensor squeeze(int dim) {
        int d = Shape.dim(dim, dim());
        if (shape[d] != 1) return this;
        return Ops.apply(new ShapeOps.Squeeze(d), this);
    }

    /** Drops every dimension of size 1. */
    public Tensor squeeze() {
        Tensor t = this;
        for (int i = dim() - 1; i >= 0; i--) if (shape[i] == 1) t = t.squeeze(i);
        return t;
    }

    public Tensor unsqueeze(int dim) {
        return Ops.apply(ShapeOps.Unsqueeze.of(this, dim), this);
    }

    /** This tensor when contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return Ops.apply(new ShapeOps.Copy("contiguous"), this);
    }

    /** A contiguous copy that stays in the graph. */
    public Tensor copyTensor() {
        return Ops.apply(new ShapeOps.Copy("clone"), this);
    }

    /** A contiguous copy of the values, outside the graph. */
    Tensor copy() {
        if (data != null) return of(toArray(), shape);
        return zeros(dtype(), shape).copyFrom(this);
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this tensor's elements in place. Not recorded. */
    public Tensor copyFrom(Tensor src) {
        Tensor s = Arrays.equals(src.shape, shape) ? src : src.detach().expand(shape);
        if (data != null && s.data != null) Strided.copy(s.data, s.offset, s.strides, data, offset, strides, shape);
        else Strided.copy(s.storage, s.offset, s.strides, storage, offset, strides, shape);
        return this;
    }

    /** Sums broadcast dimensions away so the result has {@code target} shape (the gradient of expand). */
    public Tensor sumTo(int[] target) {
        if (Arrays.equals(shape, target)) return this;
        Tensor t = this;
        int lead = dim() - target.length;
        for (int i = 0; i < lead; i++) t = t.sum(0, false);
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 1 && t.shape[i] != 1) t = t.sum(i, true);
        }
        return t;
    }

    // ---------------------------------------------------------------- elementwise

    private Tensor binary(BinaryFn fn, Tensor other) { return Ops.apply(new ElementwiseOps.Binary(fn), this, other); }
    private Tensor unary(UnaryFn fn) { return Ops.apply(new ElementwiseOps.Unary(fn), this); }
    private Tensor affine(float scale, float shift) { return Ops.apply(new ElementwiseOps.Affine(scale, shift), this); }
    private Tensor compare(Cmp cmp, Tensor other) { return Backend.of(this, other).compare(cmp, this, other); }

    public Tensor add(Tensor other) { return binary(BinaryFn.ADD, other); }
    public Tensor sub(Tensor other) { return binary(BinaryFn.SUB, other); }
    public Tensor mul(Tensor other) { return binary(BinaryFn.MUL, other); }
    public Tensor div(Tensor other) { return binary(BinaryFn.DIV, other); }
    /** Elementwise maximum of two tensors. */
    public Tensor maximum(Tensor other) { return binary(BinaryFn.MAX, other); }
    public Tensor minimum(Tensor other) { return binary(BinaryFn.MIN, other); }
    /** Elementwise power with a tensor exponent. */
    public Tensor pow(Tensor exponent) { return binary(BinaryFn.POW, exponent); }

    public Tensor add(float c) { return affine(1f, c); }
    public Tensor sub(float c) { return affine(1f, -c); }
    public Tensor mul(float c) { return affine(c, 0f); }
    public Tensor div(float c) { return affine(1f / c, 0f); }
    public Tensor neg() { return affine(-1f, 0f); }

    public Tensor pow(float p) {
        if (p == 1f) return mul(1f);
        if (p == 0.5f) return sqrt();
        return Ops.apply(new ElementwiseOps.PowScalar(p), this);
    }

    public Tensor exp() { return unary(UnaryFn.EXP); }
    public Tensor log() { return unary(UnaryFn.LOG); }
    public Tensor sqrt() { return unary(UnaryFn.SQRT); }
    public Tensor abs() { return unary(UnaryFn.ABS); }
    public Tensor tanh() { return unary(UnaryFn.TANH); }
    public Tensor sigmoid() { return unary(UnaryFn.SIGMOID); }
    public Tensor relu() { return unary(UnaryFn.RELU); }
    /** GELU with the exact erf form (PyTorch's default). */
    public Tensor gelu() { return unary(UnaryFn.GELU); }
    public Tensor silu() { return unary(UnaryFn.SILU); }
    public Tensor sin() { return unary(UnaryFn.SIN); }
    public Tensor cos() { return unary(UnaryFn.COS); }
    /** The error function. */
    public Tensor erf() { return unary(UnaryFn.ERF); }
    public Tensor leakyRelu(float slope) { return Ops.apply(new ElementwiseOps.LeakyRelu(slope), this); }
    public Tensor clamp(float min, float max) { return Ops.apply(new ElementwiseOps.Clamp(min, max), this); }

    /** 1 where {@code this == other}, else 0 (masks are float tensors of 0/1). */
    public Tensor eq(Tensor other) { return compare(Cmp.EQ, other); }
    public Tensor ne(Tensor other) { return compare(Cmp.NE, other); }
    public Tensor gt(Tensor other) { return compare(Cmp.GT, other); }
    public Tensor ge(Tensor other) { return compare(Cmp.GE, other); }
    public Tensor lt(Tensor other) { return compare(Cmp.LT, other); }
    public Tensor le(Tensor other) { return compare(Cmp.LE, other); }
    public Tensor gt(float c) { return gt(scalar(c)); }
    public Tensor lt(float c) { return lt(scalar(c)); }
    public Tensor eq(float c) { return eq(scalar(c)); }

    /** Where {@code mask} is non-zero, {@code value}; elsewhere this tensor. */
    public Tensor maskedFill(Tensor mask, float value) {
        return Ops.apply(IndexingOps.MaskedFill.of(this, mask, value), this);
    }

    /** Where {@code condition} is non-zero, {@code a}; elsewhere {@code b} (all broadcast). */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Ops.apply(new IndexingOps.Where(condition.detach()), a, b);
    }

    /** Adds {@code g} into this tensor in place (not recorded). Shapes must match or broadcast to this. */
    public Tensor addInPlace(Tensor g) {
        Backend.of(this, g).addInPlace(this, g);
        return this;
    }

    /** Multiplies in place by a constant (not recorded). */
    public Tensor mulInPlace(float c) {
        Backend.of(this).scaleInPlace(this, c);
        return this;
    }

    /** Fills in place (not recorded). */
    public Tensor fill(float value) {
        if (data != null && isContiguous()) Arrays.fill(data, offset, offset + numel(), value);
        else copyFrom(scalar(value));
        return this;
    }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return Ops.apply(new ReductionOps.SumAll(), this); }
    public Tensor sum(int dim, boolean keepDim) { return Ops.apply(ReductionOps.Sum.of(this, dim, keepDim), this); }
    public Tensor sum(int dim) { return sum(dim, false); }
    public Tensor mean() { return sum().div(Math.max(1, numel())); }
    public Tensor mean(int dim, boolean keepDim) { return sum(dim, keepDim).div(size(dim)); }
    public Tensor mean(int dim) { return mean(dim, false); }

    /** Variance along {@code dim}; {@code unbiased} divides by n-1 like PyTorch's default. */
    public Tensor var(int dim, boolean keepDim, boolean unbiased) {
        int n = size(dim);
        Tensor centered = sub(mean(dim, true));
        return centered.mul(centered).sum(dim, keepDim).div(Math.max(1, unbiased ? n - 1 : n));
    }

    public Tensor var(int dim) { return var(dim, false, true); }
    public Tensor max(int dim, boolean keepDim) { return extreme(dim, keepDim, true); }
    public Tensor min(int dim, boolean keepDim) { return extreme(dim, keepDim, false); }
    public Tensor max() { return flatten().max(0, false); }
    public Tensor min() { return flatten().min(0, false); }
    public IntTensor argmax(int dim) { return argExtreme(dim, true); }
    public IntTensor argmin(int dim) { return argExtreme(dim, false); }

    private IntTensor argExtreme(int dim, boolean max) {
        int d = Shape.dim(dim, dim());
        if (shape[d] == 0) throw new IllegalArgumentException("cannot take arg" + (max ? "max" : "min") + " over an empty dimension");
        return Backend.of(this).argExtreme(this, d, max);
    }

    /** Max or min values along a dimension: a gather at the arg-extreme, so the gradient goes to the first extreme element. */
    private Tensor extreme(int dim, boolean keepDim, boolean max) {
        int d = Shape.dim(dim, dim());
        int[] kept = shape.clone();
        kept[d] = 1;
        Tensor picked = gather(d, argExtreme(d, max).reshape(kept));
        return keepDim ? picked : picked.squeeze(d);
    }

    public Tensor logSumExp(int dim, boolean keepDim) {
        int d = Shape.dim(dim, dim());
        Tensor m = detach().max(d, true);
        Tensor lse = sub(m).exp().sum(d, true).log().add(m);
        return keepDim ? lse : lse.squeeze(d);
    }

    public Tensor softmax(int dim) { return Ops.apply(ReductionOps.Softmax.of(this, dim, false), this); }
    public Tensor logSoftmax(int dim) { return Ops.apply(ReductionOps.Softmax.of(this, dim, true), this); }

    // ---------------------------------------------------------------- linear algebra and indexing

    /** Matrix product with PyTorch's rules: 1-d promotion and broadcast batch dimensions. */
    public Tensor matmul(Tensor other) {
        LinalgOps.MatMul.check(this, other);
        if (dim() == 1 && other.dim() == 1) return unsqueeze(0).matmul(other.unsqueeze(1)).reshape();
        if (dim() == 1) return unsqueeze(0).matmul(other).squeeze(-2);
        if (other.dim() == 1) return matmul(other.unsqueeze(1)).squeeze(-1);
        return Ops.apply(new LinalgOps.MatMul(), this, other);
    }

    /** Picks along {@code dim} with an index of the same rank (like {@code torch.gather}). */
    public Tensor gather(int dim, IntTensor index) { return Ops.apply(IndexingOps.Gather.of(this, dim, index), this); }

    /** Picks whole slices along {@code dim} (like {@code torch.index_select}). */
    public Tensor indexSelect(int dim, IntTensor index) { return Ops.apply(IndexingOps.IndexSelect.of(this, dim, index), this); }

    public static Tensor concat(List<Tensor> tensors, int dim) {
        return Ops.apply(IndexingOps.Concat.of(tensors, dim), tensors.toArray(new Tensor[0]));
    }

    public static Tensor stack(List<Tensor> tensors, int dim) { return Indexing.stack(tensors, dim); }

    /** Splits into chunks of {@code size} along {@code dim} (the last may be smaller); views. */
    public List<Tensor> split(int size, int dim) { return Indexing.split(this, size, dim); }

    /** The {@code k} largest values along {@code dim} and their indices, largest first. */
    public TopK topk(int k, int dim) { return Indexing.topk(this, k, dim); }

    public record TopK(Tensor values, IntTensor indices) {}

    // ---------------------------------------------------------------- printing

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(Format.floats(data != null ? toArray() : toFloats(toDoubleArray()), shape));
        if (data == null) sb.insert(sb.length() - 1, ", dtype=" + dtype().name().toLowerCase());
        if (gradFn != null) sb.insert(sb.length() - 1, ", grad_fn=<" + gradFn.op() + "Backward>");
        else if (requiresGrad) sb.insert(sb.length() - 1, ", requires_grad=True");
        return sb.toString();
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }
}
