package gradus.autograd;

import gradus.kernels.Im2col;
import gradus.kernels.Pool2d;
import gradus.tensor.IntTensor;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * 2-d convolution and pooling over x [N, C, H, W], as fused ops on the kernels of {@link Im2col} and
 * {@link Pool2d}; their composites are shifted windows (index-select) of a padded input, multiplied or reduced.
 */
public final class ConvOps {
    private ConvOps() {}

    /** Cross-correlation of x with weight [O, C, kh, kw] plus bias [O] (or null), then ReLU when {@code relu}. */
    public record Conv2d(Im2col.Geometry g, boolean relu) implements Fused {
        public String name() { return relu ? "conv2dRelu" : "conv2d"; }

        public Tensor forward(Context ctx) {
            Tensor xc = ctx.in(0).contiguous(), wc = ctx.in(1).contiguous(), bc = ctx.in(2) == null ? null : ctx.in(2).contiguous();
            int n = xc.size(0), outC = wc.size(0);
            float[] out = new float[n * outC * g.positions()];
            Im2col.convForward(g, n, xc.data(), xc.offset(), wc.data(), wc.offset(),
                    bc == null ? null : bc.data(), bc == null ? 0 : bc.offset(), outC, relu, out);
            ctx.save(xc, wc, out);
            return Tensor.of(out, n, outC, g.outH(), g.outW());
        }

        public Tensor[] backward(Context ctx, Tensor grad) {
            Tensor xc = ctx.saved(0), wc = ctx.saved(1);
            float[] out = ctx.saved(2);
            int n = xc.size(0), outC = wc.size(0);
            float[] gx = ctx.needsGrad(0) ? new float[xc.numel()] : null;
            float[] gw = ctx.needsGrad(1) ? new float[wc.numel()] : null;
            float[] gb = ctx.needsGrad(2) ? new float[outC] : null;
            Im2col.convBackward(g, n, xc.data(), xc.offset(), wc.data(), wc.offset(), outC,
                    grad.contiguousData(), 0, relu ? out : null, gx, gw, gb);
            return new Tensor[]{gx == null ? null : Tensor.of(gx, xc.shape()), gw == null ? null : Tensor.of(gw, wc.shape()),
                    gb == null ? null : Tensor.of(gb, outC)};
        }

        /** The contiguous input and the forward's output (after its ReLU; per-sample rules mask the gradient with it). */
        public Tensor[] inputAndOutput(Context ctx) {
            Tensor xc = ctx.saved(0), wc = ctx.saved(1);
            return new Tensor[]{xc, Tensor.of((float[]) ctx.saved(2), xc.size(0), wc.size(0), g.outH(), g.outW())};
        }

        /** Σ over kernel offsets of window(x)·w[:, :, i, j]ᵀ, plus bias, then ReLU. */
        public Tensor composite(Tensor... inputs) {
            Tensor xp = pad(inputs[0], g.ph(), g.pw(), 0f), w = inputs[1];
            Tensor y = null;
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                    Tensor patch = window(xp, i * g.dh(), g.sh(), g.outH(), j * g.dw(), g.sw(), g.outW()); // [N, C, oh, ow]
                    Tensor wij = w.narrow(2, i, 1).narrow(3, j, 1).reshape(w.size(0), w.size(1));      // [O, C]
                    Tensor term = patch.permute(0, 2, 3, 1).matmul(wij.t());                           // [N, oh, ow, O]
                    y = y == null ? term : y.add(term);
                }
            }
            y = y.permute(0, 3, 1, 2);
            if (inputs[2] != null) y = y.add(inputs[2].reshape(inputs[2].numel(), 1, 1));
            return relu ? y.relu() : y.contiguous();
        }
    }

    /**
     * Transposed convolution (the adjoint of {@link Conv2d} with respect to its input) of x [N, Ci, H, W] with
     * weight [Ci, Co, kh, kw] (PyTorch's layout) plus bias [Co] (or null). {@code g} is the geometry of the
     * forward convolution that maps the output [N, Co, oh, ow] back to x: its channels are Co, its image oh×ow.
     */
    public record ConvTranspose2d(Im2col.Geometry g, int outPadH, int outPadW) implements Fused {
        public String name() { return "convTranspose2d"; }

        public Tensor forward(Context ctx) {
            Tensor xc = ctx.in(0).contiguous(), wc = ctx.in(1).contiguous(), b = ctx.in(2);
            int n = xc.size(0), inC = wc.size(0), plane = g.height() * g.width();
            float[] out = new float[n * g.channels() * plane];
            // The input gradient of the convolution y ↦ x, with x in the place of the output gradient.
            Im2col.convBackward(g, n, null, 0, wc.data(), wc.offset(), inC, xc.data(), xc.offset(), null, out, null, null);
            if (b != null) {
                float[] bv = b.contiguousData();
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < g.channels(); c++) {
                        int off = (i * g.channels() + c) * plane;
                        for (int j = 0; j < plane; j++) out[off + j] += bv[c];
                    }
                }
            }
            ctx.save(xc, wc);
            return Tensor.of(out, n, g.channels(), g.height(), g.width());
        }

        public Tensor[] backward(Context ctx, Tensor grad) {
            Tensor xc = ctx.saved(0), wc = ctx.saved(1);
            int n = xc.size(0), inC = wc.size(0);
            Tensor gc = grad.contiguous();
            Tensor gx = null, gw = null, gb = null;
            if (ctx.needsGrad(0)) { // the convolution of the output gradient
                float[] v = new float[xc.numel()];
                Im2col.convForward(g, n, gc.data(), gc.offset(), wc.data(), wc.offset(), null, 0, inC, false, v);
                gx = Tensor.of(v, xc.shape());
            }
            if (ctx.needsGrad(1)) { // that convolution's weight gradient, with x as its output gradient
                float[] v = new float[wc.numel()];
                Im2col.convBackward(g, n, gc.data(), gc.offset(), wc.data(), wc.offset(), inC, xc.data(), xc.offset(), null, null, v, null);
                gw = Tensor.of(v, wc.shape());
            }
            if (ctx.needsGrad(2)) gb = grad.sum(3, false).sum(2, false).sum(0, false);
            return new Tensor[]{gx, gw, gb};
        }

        /** x with stride−1 zeros between its pixels, padded by dilation·(k−1)−padding, convolved with the flipped kernel. */
        public Tensor composite(Tensor... inputs) {
            Tensor x = spread(spread(inputs[0], 2, g.sh()), 3, g.sw()), w = inputs[1];
            int ph = g.dh() * (g.kh() - 1) - g.ph(), pw = g.dw() * (g.kw() - 1) - g.pw();
            x = padOrCrop(padOrCrop(x, 2, ph, ph + outPadH), 3, pw, pw + outPadW);
            Tensor flipped = w.permute(1, 0, 2, 3).indexSelect(2, progression(g.kh() - 1, -1, g.kh()))
                    .indexSelect(3, progression(g.kw() - 1, -1, g.kw()));
            var conv = new Conv2d(new Im2col.Geometry(w.size(1), x.size(2), x.size(3), g.kh(), g.kw(), 1, 1, 0, 0, g.dh(), g.dw()), false);
            return conv.composite(x, flipped, inputs[2]);
        }

        /** s−1 zeros after each slice of x along {@code dim} but the last. */
        private static Tensor spread(Tensor x, int dim, int s) {
            if (s == 1) return x;
            int[] zs = x.unsqueeze(dim + 1).shape();
            zs[dim + 1] = s - 1;
            int[] merged = x.shape();
            merged[dim] *= s;
            Tensor z = Tensor.zeros(x.dtype(), zs);
            return Tensor.concat(List.of(x.unsqueeze(dim + 1), z), dim + 1).reshape(merged).narrow(dim, 0, (x.size(dim) - 1) * s + 1);
        }

        /** {@code before} and {@code after} zero slices along dim, or as many removed where negative. */
        private static Tensor padOrCrop(Tensor x, int dim, int before, int after) {
            if (before < 0) x = x.narrow(dim, -before, x.size(dim) + before);
            if (after < 0) x = x.narrow(dim, 0, x.size(dim) + after);
            List<Tensor> parts = new ArrayList<>();
            int[] s = x.shape();
            if (before > 0) { s[dim] = before; parts.add(Tensor.zeros(x.dtype(), s.clone())); }
            parts.add(x);
            if (after > 0) { s[dim] = after; parts.add(Tensor.zeros(x.dtype(), s.clone())); }
            return parts.size() == 1 ? x : Tensor.concat(parts, dim);
        }
    }

    /** Max over windows; padding counts as −∞; the gradient goes to each window's (first) maximum. */
    public record MaxPool2d(Pool2d.Window w) implements Fused {
        public String name() { return "maxPool2d"; }

        public Tensor forward(Context ctx) {
            Tensor xc = ctx.in(0).contiguous();
            int[] xs = xc.shape();
            float[] out = new float[w.planes() * w.outPlane()];
            int[] arg = new int[out.length]; // position of each window's maximum inside its plane
            Pool2d.maxForward(w, xc.data(), xc.offset(), out, arg);
            ctx.save(arg);
            return Tensor.of(out, xs[0], xs[1], w.oh(), w.ow());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            float[] gi = new float[ctx.in(0).numel()];
            Pool2d.maxBackward(w, g.contiguousData(), ctx.saved(0), gi);
            return new Tensor[]{Tensor.of(gi, ctx.in(0).shape())};
        }

        public Tensor composite(Tensor... inputs) {
            Tensor xp = pad(inputs[0], w.ph(), w.pw(), Float.NEGATIVE_INFINITY);
            List<Tensor> windows = new ArrayList<>();
            for (int i = 0; i < w.kh(); i++) {
                for (int j = 0; j < w.kw(); j++) windows.add(window(xp, i, w.sh(), w.oh(), j, w.sw(), w.ow()));
            }
            return Tensor.stack(windows, 0).max(0, false);
        }
    }

    /** Mean over windows; padding counts as zeros in the mean (PyTorch's count_include_pad). */
    public record AvgPool2d(Pool2d.Window w) implements Fused {
        public String name() { return "avgPool2d"; }

        public Tensor forward(Context ctx) {
            Tensor xc = ctx.in(0).contiguous();
            int[] xs = xc.shape();
            float[] out = new float[w.planes() * w.outPlane()];
            Pool2d.avgForward(w, xc.data(), xc.offset(), out);
            return Tensor.of(out, xs[0], xs[1], w.oh(), w.ow());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            float[] gi = new float[ctx.in(0).numel()];
            Pool2d.avgBackward(w, g.contiguousData(), gi);
            return new Tensor[]{Tensor.of(gi, ctx.in(0).shape())};
        }

        public Tensor composite(Tensor... inputs) {
            Tensor xp = pad(inputs[0], w.ph(), w.pw(), 0f), sum = null;
            for (int i = 0; i < w.kh(); i++) {
                for (int j = 0; j < w.kw(); j++) {
                    Tensor win = window(xp, i, w.sh(), w.oh(), j, w.sw(), w.ow());
                    sum = sum == null ? win : sum.add(win);
                }
            }
            return sum.div(w.kh() * w.kw());
        }
    }

    /** x [N, C, H, W] with {@code ph} rows and {@code pw} columns of {@code value} on each side. */
    static Tensor pad(Tensor x, int ph, int pw, float value) {
        int[] s = x.shape();
        if (ph > 0) {
            Tensor rows = Tensor.full(value, s[0], s[1], ph, s[3]).to(x.dtype());
            x = Tensor.concat(List.of(rows, x, rows), 2);
        }
        if (pw > 0) {
            Tensor cols = Tensor.full(value, s[0], s[1], x.size(2), pw).to(x.dtype());
            x = Tensor.concat(List.of(cols, x, cols), 3);
        }
        return x;
    }

    /** Rows y0, y0+sy, … (oh of them) and columns x0, x0+sx, … (ow) of x [N, C, H, W]. */
    static Tensor window(Tensor x, int y0, int sy, int oh, int x0, int sx, int ow) {
        return x.indexSelect(2, progression(y0, sy, oh)).indexSelect(3, progression(x0, sx, ow));
    }

    private static IntTensor progression(int start, int step, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = start + i * step;
        return IntTensor.of(v, n);
    }
}
