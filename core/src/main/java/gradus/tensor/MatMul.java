package gradus.tensor;

import gradus.kernels.Gemm;

import java.util.Arrays;

/** Matrix products with PyTorch's {@code matmul} rules, on top of {@link Gemm}. */
final class MatMul {
    private MatMul() {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul needs tensors of rank >= 1, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        if (a.dim() == 1 && b.dim() == 1) return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        int m = a.size(-2), k = a.size(-1), k2 = b.size(-2), n = b.size(-1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                    + " do not match: " + k + " columns vs " + k2 + " rows");
        }
        int[] batch = Shape.broadcast(Arrays.copyOf(a.shape(), a.dim() - 2), Arrays.copyOf(b.shape(), b.dim() - 2));
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor ae = a.detach().expand(with(batch, m, k)), be = b.detach().expand(with(batch, k, n));
        Operand oa = Operand.of(ae), ob = Operand.of(be);
        float[] out = new float[Shape.numel(outShape)];
        int batches = Shape.numel(batch);
        int[] idx = new int[batch.length];
        for (int bi = 0; bi < batches; bi++) {
            int offA = oa.t.offset(), offB = ob.t.offset();
            for (int d = 0; d < batch.length; d++) {
                offA += idx[d] * oa.t.strides()[d];
                offB += idx[d] * ob.t.strides()[d];
            }
            Gemm.sgemm(oa.trans, ob.trans, m, n, k, 1f, oa.t.data(), offA, oa.ld, ob.t.data(), offB, ob.ld,
                    0f, out, bi * m * n, n);
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) break;
                idx[d] = 0;
            }
        }
        int[] as = a.shape(), bs = b.shape();
        return Tensor.record(Tensor.of(out, outShape), "matmul", g -> new Tensor[]{
                a.requiresGrad() ? g.matmul(b.detach().transpose(-1, -2)).sumTo(as) : null,
                b.requiresGrad() ? a.detach().transpose(-1, -2).matmul(g).sumTo(bs) : null}, a, b);
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
            Tensor c = t.copy();
            return new Operand(c, false, cols);
        }
    }
}
