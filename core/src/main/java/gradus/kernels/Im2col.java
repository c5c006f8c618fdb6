package gradus.kernels;

import java.util.Arrays;

/**
 * 2-d convolution lowered to matrix products: {@code im2col} unfolds an image into a
 * {@code [C·kh·kw, outH·outW]} matrix so that the convolution is {@code W[O, C·kh·kw] · col};
 * {@code col2im} folds such a matrix back, summing overlaps (the gradient of im2col).
 * The batched forward and backward run over the batch in parallel, each thread reusing its own
 * column buffers, so a training step allocates only its outputs. The three products (forward,
 * weight gradient, column gradient) are {@link Gemm#sgemm} calls; its transpose flags read Wᵀ and
 * colᵀ in place.
 */
public final class Im2col {
    /** The batch is cut into at most this many groups for the weight gradient, whatever the thread count. */
    private static final int WEIGHT_GRADIENT_GROUPS = 32;

    private Im2col() {}

    /** Input size, kernel, stride, padding and dilation of one convolution (or pooling window). */
    public record Geometry(int channels, int height, int width, int kh, int kw,
                           int sh, int sw, int ph, int pw, int dh, int dw) {
        public int outH() {
            return (height + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        }

        public int outW() {
            return (width + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        }

        /** Rows of the column matrix: C·kh·kw. */
        public int patch() {
            return channels * kh * kw;
        }

        /** Columns of the column matrix: outH·outW. */
        public int positions() {
            return outH() * outW();
        }

        /** True when the column matrix is the image itself (1×1 kernel, stride 1, no padding). */
        boolean isIdentity() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
        }
    }

    /** Unfolds one image {@code x[xOff ..]} of shape [C, H, W] into {@code col[0 .. patch·positions)}. */
    public static void im2col(Geometry g, float[] x, int xOff, float[] col) {
        int oh = g.outH(), ow = g.outW(), p = oh * ow, plane = g.height * g.width;
        int row = 0;
        for (int c = 0; c < g.channels; c++) {
            int xc = xOff + c * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++, row++) {
                    int shift = kj * g.dw - g.pw;
                    int lo = Math.min(ow, Math.ceilDiv(Math.max(0, -shift), g.sw));
                    int hi = Math.max(lo, Math.min(ow, Math.ceilDiv(g.width - shift, g.sw)));
                    for (int y = 0; y < oh; y++) {
                        int ih = y * g.sh - g.ph + ki * g.dh;
                        int dst = row * p + y * ow;
                        if (ih < 0 || ih >= g.height) {
                            Arrays.fill(col, dst, dst + ow, 0f);
                            continue;
                        }
                        Arrays.fill(col, dst, dst + lo, 0f);
                        int src = xc + ih * g.width + lo * g.sw + shift;
                        if (g.sw == 1) {
                            System.arraycopy(x, src, col, dst + lo, hi - lo);
                        } else {
                            for (int o = lo; o < hi; o++, src += g.sw) col[dst + o] = x[src];
                        }
                        Arrays.fill(col, dst + hi, dst + ow, 0f);
                    }
                }
            }
        }
    }

    /** Adds the column matrix {@code col} back into one image {@code x[xOff ..]} of shape [C, H, W]. */
    public static void col2im(Geometry g, float[] col, float[] x, int xOff) {
        int oh = g.outH(), ow = g.outW(), p = oh * ow, plane = g.height * g.width;
        int row = 0;
        for (int c = 0; c < g.channels; c++) {
            int xc = xOff + c * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++, row++) {
                    int shift = kj * g.dw - g.pw;
                    int lo = Math.min(ow, Math.ceilDiv(Math.max(0, -shift), g.sw));
                    int hi = Math.max(lo, Math.min(ow, Math.ceilDiv(g.width - shift, g.sw)));
                    if (lo == hi) continue;
                    for (int y = 0; y < oh; y++) {
                        int ih = y * g.sh - g.ph + ki * g.dh;
                        if (ih < 0 || ih >= g.height) continue;
                        int src = row * p + y * ow + lo;
                        int dst = xc + ih * g.width + lo * g.sw + shift;
                        if (g.sw == 1) {
                            VectorMath.add(x, dst, col, src, x, dst, hi - lo);
                        } else {
                            for (int o = lo; o < hi; o++, dst += g.sw) x[dst] += col[src++];
                        }
                    }
                }
            }
        }
    }

    /**
     * out[n] = W · im2col(x[n]) + bias for every image of a contiguous batch [N, C, H, W].
     * W is [outC, C·kh·kw] at {@code wOff}; {@code bias} may be null; {@code out} is [N, outC, outH·outW].
     */
    public static void convForward(Geometry g, int batch, float[] x, int xOff, float[] w, int wOff,
                                   float[] bias, int bOff, int outC, float[] out) {
        int k = g.patch(), p = g.positions(), imageIn = g.channels * g.height * g.width, imageOut = outC * p;
        Parallel.forRange(batch, 1, (n0, n1) -> {
            float[] col = g.isIdentity() ? x : Buffers.columns(k * p);
            for (int n = n0; n < n1; n++) {
                int colOff = xOff + n * imageIn;
                if (!g.isIdentity()) {
                    im2col(g, x, colOff, col);
                    colOff = 0;
                }
                int o = n * imageOut;
                if (bias != null) for (int r = 0; r < outC; r++) Arrays.fill(out, o + r * p, o + (r + 1) * p, bias[bOff + r]);
                Gemm.sgemm(false, false, outC, p, k, 1f, w, wOff, k, col, colOff, p, bias == null ? 0f : 1f, out, o, p);
            }
        });
    }

    /**
     * Gradients of {@link #convForward} given {@code gout} [N, outC, outH·outW] at {@code gOff}.
     * Each of {@code gx} [N, C, H, W] (zero-filled by the caller), {@code gw} [outC, C·kh·kw] and
     * {@code gb} [outC] is written only when non-null. gw and gb are summed over a fixed split of
     * the batch, then added in order, so the result is the same for any thread count.
     */
    public static void convBackward(Geometry g, int batch, float[] x, int xOff, float[] w, int wOff, int outC,
                                    float[] gout, int gOff, float[] gx, float[] gw, float[] gb) {
        int k = g.patch(), p = g.positions(), imageIn = g.channels * g.height * g.width, imageOut = outC * p;
        int groups = Math.min(batch, WEIGHT_GRADIENT_GROUPS);
        float[][] partialW = new float[groups][], partialB = new float[groups][];
        Parallel.forRange(groups, 1, (q0, q1) -> {
            float[] col = gw == null || g.isIdentity() ? x : Buffers.columns(k * p);
            float[] gcol = gx == null ? null : g.isIdentity() ? gx : Buffers.gradColumns(k * p);
            for (int q = q0; q < q1; q++) {
                float[] pw = gw == null ? null : new float[outC * k];
                float[] pb = gb == null ? null : new float[outC];
                for (int n = (int) ((long) batch * q / groups), end = (int) ((long) batch * (q + 1) / groups); n < end; n++) {
                    int go = gOff + n * imageOut;
                    if (pw != null) {
                        int colOff = xOff + n * imageIn;
                        if (!g.isIdentity()) {
                            im2col(g, x, colOff, col);
                            colOff = 0;
                        }
                        Gemm.sgemm(false, true, outC, k, p, 1f, gout, go, p, col, colOff, p, 1f, pw, 0, k);
                    }
                    if (pb != null) {
                        for (int o = 0; o < outC; o++) pb[o] += VectorMath.sum(gout, go + o * p, p);
                    }
                    if (gcol != null) {
                        int gcOff = g.isIdentity() ? n * imageIn : 0;
                        Gemm.sgemm(true, false, k, p, outC, 1f, w, wOff, k, gout, go, p, 0f, gcol, gcOff, p);
                        if (!g.isIdentity()) col2im(g, gcol, gx, n * imageIn);
                    }
                }
                partialW[q] = pw;
                partialB[q] = pb;
            }
        });
        for (int q = 0; q < groups; q++) {
            if (gw != null) VectorMath.add(gw, 0, partialW[q], 0, gw, 0, gw.length);
            if (gb != null) VectorMath.add(gb, 0, partialB[q], 0, gb, 0, gb.length);
        }
    }

    /** Per-thread scratch arrays that grow to the largest size asked for and are then reused. */
    private static final class Buffers {
        private static final ThreadLocal<float[][]> LOCAL = ThreadLocal.withInitial(() -> new float[2][0]);

        static float[] columns(int size) {
            return get(0, size);
        }

        static float[] gradColumns(int size) {
            return get(1, size);
        }

        private static float[] get(int slot, int size) {
            float[][] b = LOCAL.get();
            if (b[slot].length < size) b[slot] = new float[size];
            return b[slot];
        }
    }
}
