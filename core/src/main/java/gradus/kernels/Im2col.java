package gradus.kernels;

import java.util.Arrays;

/**
 * 2-d convolution lowered to matrix products: {@code im2col} unfolds an image into a
 * {@code [C·kh·kw, outH·outW]} matrix so that the convolution is {@code W[O, C·kh·kw] · col};
 * {@code col2im} folds such a matrix back, summing overlaps (the gradient of im2col).
 * The batched forward and backward unfold chunks of images side by side into one wide column matrix
 * and run in parallel over chunks, each thread reusing its own buffers, so a training step allocates
 * only its outputs and per-chunk weight gradients. The three products (forward,
 * weight gradient, column gradient) are {@link Gemm#sgemm} calls; its transpose flags read Wᵀ and
 * colᵀ in place.
 */
public final class Im2col {
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

        /**
         * True when consecutive output rows read consecutive image rows with the image's own pitch (stride 1,
         * output as wide as the input: "same" padding), so a column-matrix row is one span of the image.
         */
        boolean rowsAlign() {
            return sh == 1 && sw == 1 && outW() == width;
        }

        /** True when the column matrix is the image itself (1×1 kernel, stride 1, no padding). */
        boolean isIdentity() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
        }
    }

    /** Unfolds one image {@code x[xOff ..]} of shape [C, H, W] into {@code col[0 .. patch·positions)}. */
    public static void im2col(Geometry g, float[] x, int xOff, float[] col) {
        im2col(g, x, xOff, col, 0, g.positions());
    }

    /**
     * Unfolds one image into the [patch, positions] block of {@code col} at {@code colOff} whose rows are
     * {@code ld} apart, so that several images can sit side by side in one wide column matrix.
     */
    public static void im2col(Geometry g, float[] x, int xOff, float[] col, int colOff, int ld) {
        int oh = g.outH(), ow = g.outW(), plane = g.height * g.width;
        boolean spans = g.rowsAlign();
        int row = 0;
        for (int c = 0; c < g.channels; c++) {
            int xc = xOff + c * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++, row++) {
                    int shift = kj * g.dw - g.pw;
                    int lo = Math.min(ow, Math.ceilDiv(Math.max(0, -shift), g.sw));
                    int hi = Math.max(lo, Math.min(ow, Math.ceilDiv(g.width - shift, g.sw)));
                    if (spans) {
                        copySpan(g, ki, shift, lo, hi, x, xc, col, colOff + row * ld);
                        continue;
                    }
                    for (int y = 0; y < oh; y++) {
                        int ih = y * g.sh - g.ph + ki * g.dh;
                        int dst = colOff + row * ld + y * ow;
                        if (ih < 0 || ih >= g.height) {
                            Arrays.fill(col, dst, dst + ow, 0f);
                            continue;
                        }
                        // The padded edges are a column or two: plain loops, where Arrays.fill's call costs more than the stores.
                        for (int o = 0; o < lo; o++) col[dst + o] = 0f;
                        int src = xc + ih * g.width + lo * g.sw + shift;
                        if (g.sw == 1) {
                            System.arraycopy(x, src, col, dst + lo, hi - lo);
                        } else {
                            for (int o = lo; o < hi; o++, src += g.sw) col[dst + o] = x[src];
                        }
                        for (int o = hi; o < ow; o++) col[dst + o] = 0f;
                    }
                }
            }
        }
    }

    /**
     * One row of the column matrix when {@link Geometry#rowsAlign}: the image rows it reads follow each other
     * in memory as its output rows do, so one copy spans them all (one short copy per output row cost more in
     * calls than in bytes: 14 floats for a 14×14 image). The padded columns, which that copy fills with the
     * neighbouring rows' edges, are zeroed afterwards.
     */
    private static void copySpan(Geometry g, int ki, int shift, int lo, int hi, float[] x, int xc, float[] col, int dst) {
        int ow = g.outW(), oh = g.outH(), off = ki * g.dh - g.ph; // image row = output row + off
        int ya = Math.min(oh, Math.max(0, -off)), yb = Math.max(ya, Math.min(oh, g.height - off));
        if (lo == hi) yb = ya;
        Arrays.fill(col, dst, dst + ya * ow, 0f);
        Arrays.fill(col, dst + yb * ow, dst + oh * ow, 0f);
        if (ya == yb) return;
        int from = dst + ya * ow + lo, to = dst + (yb - 1) * ow + hi;
        System.arraycopy(x, xc + (ya + off) * g.width + lo + shift, col, from, to - from);
        zeroPaddedColumns(col, dst, ow, ya, yb, lo, hi);
    }

    /** Zeroes columns [0, lo) and [hi, ow) of output rows [ya, yb) of the column-matrix row at {@code row}. */
    private static void zeroPaddedColumns(float[] col, int row, int ow, int ya, int yb, int lo, int hi) {
        for (int y = ya; y < yb; y++) {
            int r = row + y * ow;
            for (int o = 0; o < lo; o++) col[r + o] = 0f;
            for (int o = hi; o < ow; o++) col[r + o] = 0f;
        }
    }

    /** Adds the column matrix {@code col} back into one image {@code x[xOff ..]} of shape [C, H, W] (see below for {@code col}'s padded entries). */
    public static void col2im(Geometry g, float[] col, float[] x, int xOff) {
        col2im(g, col, 0, g.positions(), x, xOff);
    }

    /**
     * {@link #col2im} from the block of {@code col} at {@code colOff} whose rows are {@code ld} apart. Entries of
     * {@code col} at padded positions, which have no pixel to go to, may be set to zero on the way.
     */
    public static void col2im(Geometry g, float[] col, int colOff, int ld, float[] x, int xOff) {
        int oh = g.outH(), ow = g.outW(), plane = g.height * g.width;
        boolean spans = g.rowsAlign();
        int row = 0;
        for (int c = 0; c < g.channels; c++) {
            int xc = xOff + c * plane;
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++, row++) {
                    int shift = kj * g.dw - g.pw;
                    int lo = Math.min(ow, Math.ceilDiv(Math.max(0, -shift), g.sw));
                    int hi = Math.max(lo, Math.min(ow, Math.ceilDiv(g.width - shift, g.sw)));
                    if (lo == hi) continue;
                    if (spans) {
                        addSpan(g, ki, shift, lo, hi, col, colOff + row * ld, x, xc);
                        continue;
                    }
                    for (int y = 0; y < oh; y++) {
                        int ih = y * g.sh - g.ph + ki * g.dh;
                        if (ih < 0 || ih >= g.height) continue;
                        int src = colOff + row * ld + y * ow + lo;
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
     * {@link #copySpan}'s adjoint: one add over all the output rows of a column-matrix row. Its padded columns
     * are zeroed first, so the span adds exactly 0 to the neighbouring rows' edge pixels it passes over, and
     * every pixel sees the same sums in the same order as with one add per output row.
     */
    private static void addSpan(Geometry g, int ki, int shift, int lo, int hi, float[] col, int src, float[] x, int xc) {
        int ow = g.outW(), oh = g.outH(), off = ki * g.dh - g.ph;
        int ya = Math.min(oh, Math.max(0, -off)), yb = Math.max(ya, Math.min(oh, g.height - off));
        if (ya == yb) return;
        zeroPaddedColumns(col, src, ow, ya, yb, lo, hi);
        int from = src + ya * ow + lo, to = src + (yb - 1) * ow + hi, dst = xc + (ya + off) * g.width + lo + shift;
        VectorMath.add(x, dst, col, from, x, dst, to - from);
    }

    /**
     * Images unfolded side by side into one column matrix: enough columns (about {@link #COLUMNS}) that
     * the products run at full speed, where one 14×14 image alone gives a 196-column sliver. Depends on
     * the geometry and batch only, so results do not depend on the thread count.
     */
    static int imagesPerChunk(Geometry g, int batch) {
        return g.isIdentity() ? 1 : Math.max(1, Math.min(batch, Math.ceilDiv(COLUMNS, g.positions())));
    }

    private static final int COLUMNS = 1024;

    /**
     * out[n] = W · im2col(x[n]) + bias for every image of a contiguous batch [N, C, H, W], then max(0, ·) when
     * {@code relu}, while each chunk's result is still in cache.
     * W is [outC, C·kh·kw] at {@code wOff}; {@code bias} may be null; {@code out} is [N, outC, outH·outW].
     * Chunks of images run as one product W · [col(x[n]) … col(x[n+b-1])], in parallel over chunks.
     */
    public static void convForward(Geometry g, int batch, float[] x, int xOff, float[] w, int wOff,
                                   float[] bias, int bOff, int outC, boolean relu, float[] out) {
        int k = g.patch(), p = g.positions(), imageIn = g.channels * g.height * g.width, imageOut = outC * p;
        int per = imagesPerChunk(g, batch);
        Parallel.forRange(Math.ceilDiv(batch, per), 1, (c0, c1) -> {
            float[] col = g.isIdentity() ? x : Buffers.columns(k * per * p);
            float[] wide = per > 1 ? Buffers.outputs(outC * per * p) : null;
            for (int c = c0; c < c1; c++) {
                int n0 = c * per, b = Math.min(per, batch - n0), ld = b * p;
                int colOff = g.isIdentity() ? xOff + n0 * imageIn : 0;
                if (!g.isIdentity()) for (int i = 0; i < b; i++) im2col(g, x, xOff + (n0 + i) * imageIn, col, i * p, ld);
                if (b == 1) { // straight into the output
                    int o = n0 * imageOut;
                    if (bias != null) for (int r = 0; r < outC; r++) Arrays.fill(out, o + r * p, o + (r + 1) * p, bias[bOff + r]);
                    Gemm.sgemm(false, false, outC, p, k, 1f, w, wOff, k, col, colOff, p, bias == null ? 0f : 1f, out, o, p);
                    if (relu) VectorMath.relu(out, o, out, o, imageOut);
                    continue;
                }
                Gemm.sgemm(false, false, outC, ld, k, 1f, w, wOff, k, col, 0, ld, 0f, wide, 0, ld);
                for (int i = 0; i < b; i++) { // [outC, b·P] → b images of [outC, P], adding the bias
                    for (int r = 0; r < outC; r++) {
                        int o = (n0 + i) * imageOut + r * p;
                        VectorMath.scaleShift(wide, r * ld + i * p, 1f, bias == null ? 0f : bias[bOff + r], out, o, p);
                        if (relu) VectorMath.relu(out, o, out, o, p);
                    }
                }
            }
        });
    }

    /**
     * Gradients of {@link #convForward} given {@code gout} [N, outC, outH·outW] at {@code gOff}; {@code relued},
     * when not null, is the forward's output after its ReLU, and {@code gout} passes only where it is positive.
     * Each of {@code gx} [N, C, H, W] (zero-filled by the caller), {@code gw} [outC, C·kh·kw] and
     * {@code gb} [outC] is written only when non-null. Chunks of images run as the forward's do; gw and
     * gb are summed per chunk, then over chunks in order, so the result is the same for any thread count.
     */
    public static void convBackward(Geometry g, int batch, float[] x, int xOff, float[] w, int wOff, int outC,
                                    float[] gout, int gOff, float[] relued, float[] gx, float[] gw, float[] gb) {
        int k = g.patch(), p = g.positions(), imageIn = g.channels * g.height * g.width, imageOut = outC * p;
        int per = imagesPerChunk(g, batch), chunks = Math.ceilDiv(batch, per);
        float[][] partialW = new float[chunks][], partialB = new float[chunks][];
        // Partial weight gradients held as [k, outC] (see below); from MR output channels on, so that both forms
        // run on the blocked kernel rather than Gemm's path for a few rows.
        boolean transposedWeightGradient = k > outC && outC >= MicroKernel.MR;
        // Wᵀ [k, outC] once, for the column gradient Wᵀ·gm: as a transposed operand it would be packed again for
        // every chunk (3.8% of a CNN step). The product reads the same values in the same order either way.
        float[] wt = gx == null ? null : new float[k * outC];
        if (wt != null) for (int o = 0; o < outC; o++) for (int i = 0; i < k; i++) wt[i * outC + o] = w[wOff + o * k + i];
        Parallel.forRange(chunks, 1, (c0, c1) -> {
            float[] col = gw == null || g.isIdentity() ? x : Buffers.columns(k * per * p);
            float[] gcol = gx == null || g.isIdentity() ? gx : Buffers.gradColumns(k * per * p);
            float[] wide = per > 1 || relued != null ? Buffers.outputs(outC * per * p) : null;
            for (int c = c0; c < c1; c++) {
                int n0 = c * per, b = Math.min(per, batch - n0), ld = b * p;
                // The chunk's output gradient as one [outC, b·P] matrix, through the ReLU if there is one.
                float[] gm = gout;
                int gmOff = gOff + n0 * imageOut;
                if (b > 1 || relued != null) {
                    for (int i = 0; i < b; i++) {
                        for (int r = 0; r < outC; r++) {
                            int from = i * imageOut + r * p;
                            if (relued == null) System.arraycopy(gout, gmOff + from, wide, r * ld + i * p, p);
                            else VectorMath.reluBackward(gout, gmOff + from, relued, n0 * imageOut + from, wide, r * ld + i * p, p);
                        }
                    }
                    gm = wide;
                    gmOff = 0;
                }
                if (gw != null) {
                    int colOff = g.isIdentity() ? xOff + n0 * imageIn : 0;
                    if (!g.isIdentity()) for (int i = 0; i < b; i++) im2col(g, x, xOff + (n0 + i) * imageIn, col, i * p, ld);
                    float[] pw = new float[outC * k];
                    // The product's transposed operand is packed whole: take the smaller one, gm [outC, ld] or col [k, ld].
                    // Both add the same products in the same order, so the bits are the same.
                    if (transposedWeightGradient) Gemm.sgemm(false, true, k, outC, ld, 1f, col, colOff, ld, gm, gmOff, ld, 0f, pw, 0, outC);
                    else Gemm.sgemm(false, true, outC, k, ld, 1f, gm, gmOff, ld, col, colOff, ld, 0f, pw, 0, k);
                    partialW[c] = pw;
                }
                if (gb != null) {
                    float[] pb = new float[outC];
                    for (int o = 0; o < outC; o++) pb[o] = VectorMath.sum(gm, gmOff + o * ld, ld);
                    partialB[c] = pb;
                }
                if (gx != null) {
                    if (g.isIdentity()) { // the column gradient is the image gradient
                        Gemm.sgemm(false, false, k, p, outC, 1f, wt, 0, outC, gm, gmOff, ld, 0f, gx, n0 * imageIn, p);
                    } else {
                        Gemm.sgemm(false, false, k, ld, outC, 1f, wt, 0, outC, gm, gmOff, ld, 0f, gcol, 0, ld);
                        for (int i = 0; i < b; i++) col2im(g, gcol, i * p, ld, gx, (n0 + i) * imageIn);
                    }
                }
            }
        });
        float[] sumW = gw == null ? null : transposedWeightGradient ? new float[gw.length] : gw;
        for (int c = 0; c < chunks; c++) {
            if (gw != null) VectorMath.add(sumW, 0, partialW[c], 0, sumW, 0, sumW.length);
            if (gb != null) VectorMath.add(gb, 0, partialB[c], 0, gb, 0, gb.length);
        }
        if (gw != null && transposedWeightGradient) {
            for (int o = 0; o < outC; o++) for (int i = 0; i < k; i++) gw[o * k + i] += sumW[i * outC + o];
        }
    }

    /** Per-thread scratch arrays that grow to the largest size asked for and are then reused. */
    private static final class Buffers {
        private static final ThreadLocal<float[][]> LOCAL = ThreadLocal.withInitial(() -> new float[3][0]);

        static float[] columns(int size) {
            return get(0, size);
        }

        static float[] gradColumns(int size) {
            return get(1, size);
        }

        static float[] outputs(int size) {
            return get(2, size);
        }

        private static float[] get(int slot, int size) {
            float[][] b = LOCAL.get();
            if (b[slot].length < size) b[slot] = new float[size];
            return b[slot];
        }
    }
}
