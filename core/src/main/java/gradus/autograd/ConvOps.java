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
