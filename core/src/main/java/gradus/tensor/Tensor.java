package gradus.tensor;

import gradus.autograd.Engine;
import gradus.autograd.GradMode;
import gradus.autograd.Node;

import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional float32 tensor: a heap {@code float[]} seen through a shape, strides and an
 * offset, so views (reshape, transpose, narrow, expand…) cost no copy. Operations on tensors that
 * require grad record a {@link Node}; {@link #backward()} differentiates through them.
 * The GC owns memory: nothing needs closing.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;

    Tensor(float[] data, int[] shape, int[] strides, int offset) {
        this.data = data;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
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

    /** The backing storage, shared with every view; see {@link #offset()} and {@link #strides()}. */
    public float[] data() {
        return data;
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
        return data[offset];
    }

    public float get(int... index) {
        return data[flatIndex(index)];
    }

    /** Writes one element in place (not recorded by autograd). */
    public void set(float value, int... index) {
        data[flatIndex(index)] = value;
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

    /** A row-major copy of the values. */
    public float[] toArray() {
        float[] out = new float[numel()];
        Strided.copy(data, offset, strides, out, 0, Shape.contiguousStrides(shape), shape);
        return out;
    }

    /** A row-major array of the values; the storage itself when this tensor is contiguous and unshared in layout. */
    public float[] contiguousData() {
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
        Engine.backward(this, Tensor.full(1f, shape));
    }

    public void backward(Tensor gradient) {
        Engine.backward(this, gradient);
    }

    /** The same values, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(data, shape, strides, offset);
    }

    /**
     * Records {@code backward} as the way to differentiate {@code out} when grad mode is on and any
     * input requires grad. Returns {@code out}. Used by every differentiable operation.
     */
    public static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.requiresGrad = true;
                out.gradFn = new Node(op, inputs, backward);
                return out;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- views

    private Tensor view(int[] newShape, int[] newStrides, int newOffset) {
        return new Tensor(data, newShape, newStrides, newOffset);
    }

    /** A tensor of another shape with the same values; a view when the layout allows, else a copy. */
    public Tensor reshape(int... newShape) {
        int[] s = Shape.infer(numel(), newShape);
        Tensor src = isContiguous() ? this : contiguous();
        Tensor out = src.view(s, Shape.contiguousStrides(s), src.offset);
        int[] inShape = shape;
        return record(out, "reshape", g -> new Tensor[]{g.reshape(inShape)}, src == this ? this : src);
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
        if (dims.length != dim()) {
            throw new IllegalArgumentException("permute got " + dims.length + " dimensions for shape " + Shape.str(shape));
        }
        int[] s = new int[dims.length], st = new int[dims.length], inverse = new int[dims.length];
        boolean[] used = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.dim(dims[i], dim());
            if (used[d]) throw new IllegalArgumentException("permute repeats dimension " + d + " in " + Arrays.toString(dims));
            used[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
            inverse[d] = i;
        }
        return record(view(s, st, offset), "permute", g -> new Tensor[]{g.permute(inverse)}, this);
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
        int d = Shape.dim(dim, dim());
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow(" + dim + ", " + start + ", " + length + ") out of range for shape " + Shape.str(shape));
        }
        int[] s = shape.clone();
        s[d] = length;
        int[] inShape = shape;
        return record(view(s, strides, offset + start * strides[d]), "narrow", g -> {
            Tensor full = Tensor.zeros(inShape);
            full.narrow(d, start, length).copyFrom(g);
            return new Tensor[]{full};
        }, this);
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
        if (newShape.length < dim()) {
            throw new IllegalArgumentException("cannot expand shape " + Shape.str(shape) + " to " + Shape.str(newShape));
        }
        int lead = newShape.length - dim();
        int[] s = new int[newShape.length], st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int src = i - lead;
            int have = src < 0 ? 1 : shape[src];
            int want = newShape[i] == -1 ? have : newShape[i];
            if (have != want && have != 1) {
                throw new IllegalArgumentException("cannot expand shape " + Shape.str(shape) + " to " + Shape.str(newShape));
            }
            s[i] = want;
            st[i] = src < 0 || have != want ? 0 : strides[src];
        }
        if (Arrays.equals(s, shape)) return this;
        int[] inShape = shape;
        return record(view(s, st, offset), "expand", g -> new Tensor[]{g.sumTo(inShape)}, this);
    }

    public Tensor squeeze(int dim) {
        int d = Shape.dim(dim, dim());
        if (shape[d] != 1) return this;
        int[] s = new int[dim() - 1], st = new int[dim() - 1];
        for (int i = 0, k = 0; i < dim(); i++) {
            if (i == d) continue;
            s[k] = shape[i];
            st[k++] = strides[i];
        }
        return record(view(s, st, offset), "squeeze", g -> new Tensor[]{g.unsqueeze(d)}, this);
    }

    /** Drops every dimension of size 1. */
    public Tensor squeeze() {
        Tensor t = this;
        for (int i = dim() - 1; i >= 0; i--) if (shape[i] == 1) t = t.squeeze(i);
        return t;
    }

    public Tensor unsqueeze(int dim) {
        int d = dim < 0 ? dim + dim() + 1 : dim;
        if (d < 0 || d > dim()) throw new IndexOutOfBoundsException("unsqueeze dimension " + dim + " out of range for rank " + dim());
        int[] s = new int[dim() + 1], st = new int[dim() + 1];
        for (int i = 0, k = 0; i <= dim(); i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = d < dim() ? strides[d] * shape[d] : 1;
            } else {
                s[i] = shape[k];
                st[i] = strides[k++];
            }
        }
        return record(view(s, st, offset), "unsqueeze", g -> new Tensor[]{g.squeeze(d)}, this);
    }

    /** This tensor when contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return record(copy(), "contiguous", g -> new Tensor[]{g}, this);
    }

    /** A contiguous copy that stays in the graph. */
    public Tensor copyTensor() {
        return record(copy(), "clone", g -> new Tensor[]{g}, this);
    }

    /** A contiguous copy of the values, outside the graph. */
    Tensor copy() {
        return of(toArray(), shape);
    }

    /** Copies {@code src} (broadcast to this shape) into this tensor's elements in place. Not recorded. */
    public Tensor copyFrom(Tensor src) {
        Tensor s = Arrays.equals(src.shape, shape) ? src : src.detach().expand(shape);
        Strided.copy(s.data, s.offset, s.strides, data, offset, strides, shape);
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

    public Tensor add(Tensor other) { return Elementwise.binary(Elementwise.Op.ADD, this, other); }
    public Tensor sub(Tensor other) { return Elementwise.binary(Elementwise.Op.SUB, this, other); }
    public Tensor mul(Tensor other) { return Elementwise.binary(Elementwise.Op.MUL, this, other); }
    public Tensor div(Tensor other) { return Elementwise.binary(Elementwise.Op.DIV, this, other); }
    /** Elementwise maximum of two tensors. */
    public Tensor maximum(Tensor other) { return Elementwise.binary(Elementwise.Op.MAX, this, other); }
    public Tensor minimum(Tensor other) { return Elementwise.binary(Elementwise.Op.MIN, this, other); }
    /** Elementwise power with a tensor exponent. */
    public Tensor pow(Tensor exponent) { return Elementwise.binary(Elementwise.Op.POW, this, exponent); }

    public Tensor add(float c) { return Elementwise.addScalar(this, c); }
    public Tensor sub(float c) { return Elementwise.addScalar(this, -c); }
    public Tensor mul(float c) { return Elementwise.mulScalar(this, c); }
    public Tensor div(float c) { return Elementwise.mulScalar(this, 1f / c); }
    public Tensor pow(float p) { return Elementwise.pow(this, p); }
    public Tensor neg() { return Elementwise.mulScalar(this, -1f); }

    public Tensor exp() { return Elementwise.unary(Elementwise.Fn.EXP, this); }
    public Tensor log() { return Elementwise.unary(Elementwise.Fn.LOG, this); }
    public Tensor sqrt() { return Elementwise.unary(Elementwise.Fn.SQRT, this); }
    public Tensor abs() { return Elementwise.unary(Elementwise.Fn.ABS, this); }
    public Tensor tanh() { return Elementwise.unary(Elementwise.Fn.TANH, this); }
    public Tensor sigmoid() { return Elementwise.unary(Elementwise.Fn.SIGMOID, this); }
    public Tensor relu() { return Elementwise.unary(Elementwise.Fn.RELU, this); }
    /** GELU with the exact erf form (PyTorch's default). */
    public Tensor gelu() { return Elementwise.unary(Elementwise.Fn.GELU, this); }
    public Tensor silu() { return Elementwise.unary(Elementwise.Fn.SILU, this); }
    public Tensor sin() { return Elementwise.unary(Elementwise.Fn.SIN, this); }
    public Tensor cos() { return Elementwise.unary(Elementwise.Fn.COS, this); }
    public Tensor leakyRelu(float slope) { return Elementwise.leakyRelu(this, slope); }
    public Tensor clamp(float min, float max) { return Elementwise.clamp(this, min, max); }

    /** 1 where {@code this == other}, else 0 (masks are float tensors of 0/1). */
    public Tensor eq(Tensor other) { return Elementwise.compare(Elementwise.Cmp.EQ, this, other); }
    public Tensor ne(Tensor other) { return Elementwise.compare(Elementwise.Cmp.NE, this, other); }
    public Tensor gt(Tensor other) { return Elementwise.compare(Elementwise.Cmp.GT, this, other); }
    public Tensor ge(Tensor other) { return Elementwise.compare(Elementwise.Cmp.GE, this, other); }
    public Tensor lt(Tensor other) { return Elementwise.compare(Elementwise.Cmp.LT, this, other); }
    public Tensor le(Tensor other) { return Elementwise.compare(Elementwise.Cmp.LE, this, other); }
    public Tensor gt(float c) { return gt(scalar(c)); }
    public Tensor lt(float c) { return lt(scalar(c)); }
    public Tensor eq(float c) { return eq(scalar(c)); }

    /** Where {@code mask} is non-zero, {@code value}; elsewhere this tensor. */
    public Tensor maskedFill(Tensor mask, float value) { return Indexing.maskedFill(this, mask, value); }

    /** Where {@code condition} is non-zero, {@code a}; elsewhere {@code b} (all broadcast). */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) { return Indexing.where(condition, a, b); }

    /** Adds {@code g} into this tensor in place (not recorded). Shapes must match or broadcast to this. */
    public Tensor addInPlace(Tensor g) {
        Elementwise.addInPlace(this, g);
        return this;
    }

    /** Multiplies in place by a constant (not recorded). */
    public Tensor mulInPlace(float c) {
        Elementwise.mulInPlace(this, c);
        return this;
    }

    /** Fills in place (not recorded). */
    public Tensor fill(float value) {
        if (isContiguous()) Arrays.fill(data, offset, offset + numel(), value);
        else copyFrom(scalar(value));
        return this;
    }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return Reductions.sumAll(this); }
    public Tensor sum(int dim, boolean keepDim) { return Reductions.sum(this, dim, keepDim); }
    public Tensor sum(int dim) { return sum(dim, false); }
    public Tensor mean() { return sum().div(Math.max(1, numel())); }
    public Tensor mean(int dim, boolean keepDim) { return sum(dim, keepDim).div(size(dim)); }
    public Tensor mean(int dim) { return mean(dim, false); }
    /** Variance along {@code dim}; {@code unbiased} divides by n-1 like PyTorch's default. */
    public Tensor var(int dim, boolean keepDim, boolean unbiased) { return Reductions.var(this, dim, keepDim, unbiased); }
    public Tensor var(int dim) { return var(dim, false, true); }
    public Tensor max(int dim, boolean keepDim) { return Reductions.extreme(this, dim, keepDim, true); }
    public Tensor min(int dim, boolean keepDim) { return Reductions.extreme(this, dim, keepDim, false); }
    public Tensor max() { return flatten().max(0, false); }
    public Tensor min() { return flatten().min(0, false); }
    public IntTensor argmax(int dim) { return Reductions.argExtreme(this, dim, true); }
    public IntTensor argmin(int dim) { return Reductions.argExtreme(this, dim, false); }
    public Tensor logSumExp(int dim, boolean keepDim) { return Reductions.logSumExp(this, dim, keepDim); }
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim, false); }
    public Tensor logSoftmax(int dim) { return Reductions.softmax(this, dim, true); }

    // ---------------------------------------------------------------- linear algebra and indexing

    /** Matrix product with PyTorch's rules: 1-d promotion and broadcast batch dimensions. */
    public Tensor matmul(Tensor other) { return MatMul.matmul(this, other); }

    /** Picks along {@code dim} with an index of the same rank (like {@code torch.gather}). */
    public Tensor gather(int dim, IntTensor index) { return Indexing.gather(this, dim, index); }

    /** Picks whole slices along {@code dim} (like {@code torch.index_select}). */
    public Tensor indexSelect(int dim, IntTensor index) { return Indexing.indexSelect(this, dim, index); }

    public static Tensor concat(List<Tensor> tensors, int dim) { return Indexing.concat(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return Indexing.stack(tensors, dim); }

    /** Splits into chunks of {@code size} along {@code dim} (the last may be smaller); views. */
    public List<Tensor> split(int size, int dim) { return Indexing.split(this, size, dim); }

    /** The {@code k} largest values along {@code dim} and their indices, largest first. */
    public TopK topk(int k, int dim) { return Indexing.topk(this, k, dim); }

    public record TopK(Tensor values, IntTensor indices) {}

    // ---------------------------------------------------------------- printing

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(Format.floats(toArray(), shape));
        if (gradFn != null) sb.insert(sb.length() - 1, ", grad_fn=<" + gradFn.op() + "Backward>");
        else if (requiresGrad) sb.insert(sb.length() - 1, ", requires_grad=True");
        return sb.toString();
    }
}
