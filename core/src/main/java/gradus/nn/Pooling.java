package gradus.nn;

import gradus.kernels.Parallel;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/** Max and average pooling over 2-d windows, one (image, channel) plane per task, with their gradients. */
final class Pooling {
    private Pooling() {}

    /** Output size and plane count of one pooling, checked against PyTorch's rules. */
    private record Window(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        static Window of(String op, int[] xs, int[] k, int[] s, int[] p) {
            if (xs.length != 4) throw new IllegalArgumentException(op + " expects input [N, C, H, W], got shape " + Shape.str(xs));
            if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
                throw new IllegalArgumentException(op + " padding " + Shape.str(p) + " must be at most half the kernel " + Shape.str(k));
            }
            if (xs[2] + 2 * p[0] < k[0] || xs[3] + 2 * p[1] < k[1]) {
                throw new IllegalArgumentException(op + " input of shape " + Shape.str(xs) + " is smaller than the kernel " + Shape.str(k));
            }
            int oh = (xs[2] + 2 * p[0] - k[0]) / s[0] + 1, ow = (xs[3] + 2 * p[1] - k[1]) / s[1] + 1;
            return new Window(xs[0] * xs[1], xs[2], xs[3], k[0], k[1], s[0], s[1], p[0], p[1], oh, ow);
        }

        int grain() {
            return Math.max(1, (1 << 14) / Math.max(1, oh * ow * kh * kw));
        }
    }

    static Tensor max(Tensor x, int[] kernel, int[] stride, int[] padding) {
        if (x.dim() == 3) return max(x.unsqueeze(0), kernel, stride, padding).squeeze(0);
        int[] xs = x.shape();
        Window w = Window.of("maxPool2d", xs, kernel, stride, padding);
        Tensor xc = x.contiguous();
        float[] in = xc.data();
        int xo = xc.offset(), plane = w.h * w.w, outPlane = w.oh * w.ow;
        float[] out = new float[w.planes * outPlane];
        int[] arg = new int[out.length]; // position of each window's maximum inside its plane
        Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int base = xo + pl * plane, o = pl * outPlane;
                for (int oy = 0; oy < w.oh; oy++) {
                    int y0 = oy * w.sh - w.ph, ya = Math.max(0, y0), yb = Math.min(w.h, y0 + w.kh);
                    for (int ox = 0; ox < w.ow; ox++, o++) {
                        int x0 = ox * w.sw - w.pw, xa = Math.max(0, x0), xb = Math.min(w.w, x0 + w.kw);
                        float best = Float.NEGATIVE_INFINITY;
                        int bestAt = ya * w.w + xa;
                        for (int y = ya; y < yb; y++) {
                            for (int xx = xa; xx < xb; xx++) {
                                float v = in[base + y * w.w + xx];
                                if (v > best || Float.isNaN(v)) {
                                    best = v;
                                    bestAt = y * w.w + xx;
                                }
                            }
                        }
                        out[o] = best;
                        arg[o] = bestAt;
                    }
                }
            }
        });
        return Tensor.record(Tensor.of(out, xs[0], xs[1], w.oh, w.ow), "maxPool2d", g -> {
            float[] gv = g.contiguousData(), gi = new float[xc.numel()];
            Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
                for (int pl = p0; pl < p1; pl++) {
                    for (int o = pl * outPlane, end = o + outPlane; o < end; o++) gi[pl * plane + arg[o]] += gv[o];
                }
            });
            return new Tensor[]{Tensor.of(gi, xs)};
        }, xc);
    }

    static Tensor average(Tensor x, int[] kernel, int[] stride, int[] padding) {
        if (x.dim() == 3) return average(x.unsqueeze(0), kernel, stride, padding).squeeze(0);
        int[] xs = x.shape();
        Window w = Window.of("avgPool2d", xs, kernel, stride, padding);
        Tensor xc = x.contiguous();
        float[] in = xc.data();
        int xo = xc.offset(), plane = w.h * w.w, outPlane = w.oh * w.ow;
        float scale = 1f / (w.kh * w.kw);
        float[] out = new float[w.planes * outPlane];
        Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int base = xo + pl * plane, o = pl * outPlane;
                for (int oy = 0; oy < w.oh; oy++) {
                    int y0 = oy * w.sh - w.ph, ya = Math.max(0, y0), yb = Math.min(w.h, y0 + w.kh);
                    for (int ox = 0; ox < w.ow; ox++, o++) {
                        int x0 = ox * w.sw - w.pw, xa = Math.max(0, x0), xb = Math.min(w.w, x0 + w.kw);
                        float s = 0f;
                        for (int y = ya; y < yb; y++) {
                            for (int xx = xa; xx < xb; xx++) s += in[base + y * w.w + xx];
                        }
                        out[o] = s * scale;
                    }
                }
            }
        });
        return Tensor.record(Tensor.of(out, xs[0], xs[1], w.oh, w.ow), "avgPool2d", g -> {
            float[] gv = g.contiguousData(), gi = new float[xc.numel()];
            Parallel.forRange(w.planes, w.grain(), (p0, p1) -> {
                for (int pl = p0; pl < p1; pl++) {
                    int base = pl * plane, o = pl * outPlane;
                    for (int oy = 0; oy < w.oh; oy++) {
                        int y0 = oy * w.sh - w.ph, ya = Math.max(0, y0), yb = Math.min(w.h, y0 + w.kh);
                        for (int ox = 0; ox < w.ow; ox++, o++) {
                            int x0 = ox * w.sw - w.pw, xa = Math.max(0, x0), xb = Math.min(w.w, x0 + w.kw);
                            float share = gv[o] * scale;
                            for (int y = ya; y < yb; y++) {
                                for (int xx = xa; xx < xb; xx++) gi[base + y * w.w + xx] += share;
                            }
                        }
                    }
                }
            });
            return new Tensor[]{Tensor.of(gi, xs)};
        }, xc);
    }
}
