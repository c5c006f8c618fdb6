package gradus.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Stack, split and top-k: composites of the indexing and view ops. */
final class Indexing {
    private Indexing() {}

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
        return Tensor.concat(parts, d);
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
