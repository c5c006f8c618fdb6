package gradus.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Gather, index-select, masking, concatenation, splitting and top-k, with gradients. */
final class Indexing {
    private Indexing() {}

    static Tensor gather(Tensor x, int dim, IntTensor index) {
        int d = Shape.dim(dim, x.dim());
        int[] xs = x.shape(), is = index.shape();
        if (is.length != xs.length) {
            throw new IllegalArgumentException("gather index shape " + Shape.str(is) + " must have the rank of input " + Shape.str(xs));
        }
        for (int i = 0; i < xs.length; i++) {
            if (i != d && is[i] > xs[i]) {
                throw new IllegalArgumentException("gather index shape " + Shape.str(is) + " exceeds input " + Shape.str(xs) + " at dimension " + i);
            }
        }
        float[] src = x.toArray();
        int[] srcStrides = Shape.contiguousStrides(xs);
        int[] ix = index.data();
        float[] out = new float[ix.length];
        int[] srcPos = new int[ix.length];
        int[] pos = new int[is.length];
        for (int e = 0; e < ix.length; e++) {
            int v = ix[e];
            if (v < 0 || v >= xs[d]) throw new IndexOutOfBoundsException("gather index " + v + " out of range for size " + xs[d] + " at dimension " + d);
            int off = 0;
            for (int k = 0; k < is.length; k++) off += (k == d ? v : pos[k]) * srcStrides[k];
            srcPos[e] = off;
            out[e] = src[off];
            for (int k = is.length - 1; k >= 0; k--) {
                if (++pos[k] < is[k]) break;
                pos[k] = 0;
            }
        }
        return Tensor.record(Tensor.of(out, is), "gather", g -> {
            float[] gv = g.toArray();
            float[] gi = new float[src.length];
            for (int e = 0; e < gv.length; e++) gi[srcPos[e]] += gv[e];
            return new Tensor[]{Tensor.of(gi, xs)};
        }, x);
    }

    static Tensor indexSelect(Tensor x, int dim, IntTensor index) {
        int d = Shape.dim(dim, x.dim());
        int[] xs = x.shape();
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= xs[i];
        for (int i = d + 1; i < xs.length; i++) inner *= xs[i];
        int[] ix = index.data();
        int n = xs[d];
        for (int v : ix) if (v < 0 || v >= n) throw new IndexOutOfBoundsException("index " + v + " out of range for size " + n + " at dimension " + d);
        Tensor c = x.contiguous();
        float[] src = c.data();
        int so = c.offset();
        float[] out = new float[outer * ix.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < ix.length; j++) {
                System.arraycopy(src, so + (o * n + ix[j]) * inner, out, (o * ix.length + j) * inner, inner);
            }
        }
        int[] os = xs.clone();
        os[d] = ix.length;
        final int fOuter = outer, fInner = inner;
        return Tensor.record(Tensor.of(out, os), "indexSelect", g -> {
            float[] gv = g.toArray();
            float[] gi = new float[Shape.numel(xs)];
            for (int o = 0; o < fOuter; o++) {
                for (int j = 0; j < ix.length; j++) {
                    int dst = (o * n + ix[j]) * fInner, s = (o * ix.length + j) * fInner;
                    for (int q = 0; q < fInner; q++) gi[dst + q] += gv[s + q];
                }
            }
            return new Tensor[]{Tensor.of(gi, xs)};
        }, x);
    }

    static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        int[] shape = x.shape();
        Tensor m = mask.detach().expand(Shape.broadcast(shape, mask.shape()));
        if (!Arrays.equals(m.shape(), shape)) {
            throw new IllegalArgumentException("mask shape " + Shape.str(mask.shape()) + " does not broadcast to " + Shape.str(shape));
        }
        float[] mv = m.toArray();
        float[] out = x.toArray();
        for (int i = 0; i < out.length; i++) if (mv[i] != 0f) out[i] = value;
        return Tensor.record(Tensor.of(out, shape), "maskedFill", g -> {
            float[] gv = g.toArray();
            for (int i = 0; i < gv.length; i++) if (mv[i] != 0f) gv[i] = 0f;
            return new Tensor[]{Tensor.of(gv, shape)};
        }, x);
    }

    static Tensor where(Tensor condition, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(condition.shape(), Shape.broadcast(a.shape(), b.shape()));
        float[] c = condition.detach().expand(shape).toArray();
        float[] av = a.detach().expand(shape).toArray(), bv = b.detach().expand(shape).toArray();
        float[] out = new float[c.length];
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0f ? av[i] : bv[i];
        Tensor cond = Tensor.of(c, shape);
        int[] as = a.shape(), bs = b.shape();
        return Tensor.record(Tensor.of(out, shape), "where", g -> new Tensor[]{
                a.requiresGrad() ? g.mul(cond).sumTo(as) : null,
                b.requiresGrad() ? g.mul(cond.neg().add(1f)).sumTo(bs) : null}, a, b);
    }

    static Tensor concat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("concat needs at least one tensor");
        Tensor first = tensors.get(0);
        int d = Shape.dim(dim, first.dim());
        int total = 0;
        for (Tensor t : tensors) {
            if (t.dim() != first.dim()) {
                throw new IllegalArgumentException("concat: shapes " + Shape.str(first.shape()) + " and " + Shape.str(t.shape()) + " differ in rank");
            }
            for (int i = 0; i < t.dim(); i++) {
                if (i != d && t.size(i) != first.size(i)) {
                    throw new IllegalArgumentException("concat along " + d + ": shapes " + Shape.str(first.shape())
                            + " and " + Shape.str(t.shape()) + " differ at dimension " + i);
                }
            }
            total += t.size(d);
        }
        int[] shape = first.shape();
        shape[d] = total;
        Tensor out = Tensor.zeros(shape);
        int[] starts = new int[tensors.size()];
        int at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            starts[i] = at;
            Tensor t = tensors.get(i);
            out.narrow(d, at, t.size(d)).copyFrom(t.detach());
            at += t.size(d);
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return Tensor.record(out, "concat", g -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].requiresGrad()) grads[i] = g.narrow(d, starts[i], inputs[i].size(d)).contiguous();
            }
            return grads;
        }, inputs);
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack needs at least one tensor");
        int[] s0 = tensors.get(0).shape();
        int d = dim < 0 ? dim + s0.length + 1 : dim;
        List<Tensor> parts = new ArrayList<>();
        for (Tensor t : tensors) {
            if (!Arrays.equals(t.shape(), s0)) {
                throw new IllegalArgumentException("stack needs equal shapes, got " + Shape.str(s0) + " and " + Shape.str(t.shape()));
            }
            parts.add(t.unsqueeze(d));
        }
        return concat(parts, d);
    }

    static List<Tensor> split(Tensor x, int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split size must be positive, got " + size);
        int n = x.size(dim);
        List<Tensor> out = new ArrayList<>();
        for (int s = 0; s < n; s += size) out.add(x.narrow(dim, s, Math.min(size, n - s)));
        return out;
    }

    static Tensor.TopK topk(Tensor x, int k, int dim) {
        int d = Shape.dim(dim, x.dim());
        int n = x.size(d);
        if (k < 0 || k > n) throw new IllegalArgumentException("topk k=" + k + " out of range for size " + n + " at dimension " + d);
        Tensor moved = x.transpose(d, -1).contiguous();
        float[] v = moved.data();
        int vo = moved.offset();
        int rows = moved.numel() / Math.max(n, 1);
        int[] idx = new int[rows * k];
        Integer[] order = new Integer[n];
        for (int r = 0; r < rows; r++) {
            int base = vo + r * n;
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (p, q) -> Float.compare(v[base + q], v[base + p]));
            for (int i = 0; i < k; i++) idx[r * k + i] = order[i];
        }
        int[] shape = moved.shape();
        shape[shape.length - 1] = k;
        IntTensor index = IntTensor.of(idx, shape);
        Tensor values = moved.gather(-1, index).transpose(d, -1).contiguous();
        int[] finalShape = values.shape();
        int[] rowsIdx = new int[idx.length];
        // indices back in the original dimension order
        Tensor idxF = Tensor.of(toFloat(idx), shape).transpose(d, -1).contiguous();
        float[] fi = idxF.data();
        for (int i = 0; i < rowsIdx.length; i++) rowsIdx[i] = (int) fi[i];
        return new Tensor.TopK(values, IntTensor.of(rowsIdx, finalShape));
    }

    private static float[] toFloat(int[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = a[i];
        return f;
    }
}
