package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static jdk.incubator.vector.VectorOperators.ADD;

/**
 * 2-d convolution lowered to matrix products: {@code im2col} unfolds an image into a
 * {@code [C·kh·kw, outH·outW]} matrix so that the convolution is {@code W[O, C·kh·kw] · col};
 * {@code col2im} folds such a matrix back, summing overlaps (the gradient of im2col).
 * The batched forward and backward run over the batch in parallel, each thread reusing its own
 * column buffers, so a training step allocates only its outputs. The three products (forward,
 * weight gradient, column gradient) use register-blocked kernels sized for these shapes.
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
                mulAB(outC, p, k, w, wOff, col, colOff, out, n * imageOut, bias, bOff);
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
        float[] wt = gx == null ? null : transpose(w, wOff, outC, k);
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
                        addABt(outC, k, p, gout, go, col, colOff, pw);
                    }
                    if (pb != null) {
                        for (int o = 0; o < outC; o++) pb[o] += VectorMath.sum(gout, go + o * p, p);
                    }
                    if (gcol != null) {
                        int gcOff = g.isIdentity() ? n * imageIn : 0;
                        mulAB(k, p, outC, wt, 0, gout, go, gcol, gcOff, null, 0);
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

    /**
     * c[cOff + i·n + j] = init[i] + Σ_t a[aOff + i·k + t] · b[bOff + t·n + j]: the product of row-major
     * [m, k] and [k, n] matrices, plus a per-row start value ({@code init} may be null for zero).
     * Blocks of 4 rows × 2 vectors stay in eight registers over the whole sum, so each element
     * of B loaded feeds four multiply-adds and C is written once.
     */
    private static void mulAB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, float[] init, int initOff) {
        VectorSpecies<Float> sp = VectorMath.SPECIES;
        int lanes = sp.length(), i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k, c0 = cOff + i * n, j = 0;
            float i0 = init == null ? 0f : init[initOff + i], i1 = init == null ? 0f : init[initOff + i + 1];
            float i2 = init == null ? 0f : init[initOff + i + 2], i3 = init == null ? 0f : init[initOff + i + 3];
            for (; j + 2 * lanes <= n; j += 2 * lanes) {
                FloatVector s00 = FloatVector.broadcast(sp, i0), s01 = s00, s10 = FloatVector.broadcast(sp, i1), s11 = s10;
                FloatVector s20 = FloatVector.broadcast(sp, i2), s21 = s20, s30 = FloatVector.broadcast(sp, i3), s31 = s30;
                for (int t = 0, bt = bOff + j; t < k; t++, bt += n) {
                    FloatVector v0 = FloatVector.fromArray(sp, b, bt), v1 = FloatVector.fromArray(sp, b, bt + lanes);
                    FloatVector u = FloatVector.broadcast(sp, a[a0 + t]);
                    s00 = v0.fma(u, s00);
                    s01 = v1.fma(u, s01);
                    u = FloatVector.broadcast(sp, a[a1 + t]);
                    s10 = v0.fma(u, s10);
                    s11 = v1.fma(u, s11);
                    u = FloatVector.broadcast(sp, a[a2 + t]);
                    s20 = v0.fma(u, s20);
                    s21 = v1.fma(u, s21);
                    u = FloatVector.broadcast(sp, a[a3 + t]);
                    s30 = v0.fma(u, s30);
                    s31 = v1.fma(u, s31);
                }
                s00.intoArray(c, c0 + j);
                s01.intoArray(c, c0 + j + lanes);
                s10.intoArray(c, c0 + n + j);
                s11.intoArray(c, c0 + n + j + lanes);
                s20.intoArray(c, c0 + 2 * n + j);
                s21.intoArray(c, c0 + 2 * n + j + lanes);
                s30.intoArray(c, c0 + 3 * n + j);
                s31.intoArray(c, c0 + 3 * n + j + lanes);
            }
            for (; j + lanes <= n; j += lanes) {
                FloatVector s0 = FloatVector.broadcast(sp, i0), s1 = FloatVector.broadcast(sp, i1);
                FloatVector s2 = FloatVector.broadcast(sp, i2), s3 = FloatVector.broadcast(sp, i3);
                for (int t = 0, bt = bOff + j; t < k; t++, bt += n) {
                    FloatVector v = FloatVector.fromArray(sp, b, bt);
                    s0 = v.fma(FloatVector.broadcast(sp, a[a0 + t]), s0);
                    s1 = v.fma(FloatVector.broadcast(sp, a[a1 + t]), s1);
                    s2 = v.fma(FloatVector.broadcast(sp, a[a2 + t]), s2);
                    s3 = v.fma(FloatVector.broadcast(sp, a[a3 + t]), s3);
                }
                s0.intoArray(c, c0 + j);
                s1.intoArray(c, c0 + n + j);
                s2.intoArray(c, c0 + 2 * n + j);
                s3.intoArray(c, c0 + 3 * n + j);
            }
            for (; j < n; j++) {
                float r0 = i0, r1 = i1, r2 = i2, r3 = i3;
                for (int t = 0, bt = bOff + j; t < k; t++, bt += n) {
                    float v = b[bt];
                    r0 += a[a0 + t] * v;
                    r1 += a[a1 + t] * v;
                    r2 += a[a2 + t] * v;
                    r3 += a[a3 + t] * v;
                }
                c[c0 + j] = r0;
                c[c0 + n + j] = r1;
                c[c0 + 2 * n + j] = r2;
                c[c0 + 3 * n + j] = r3;
            }
        }
        for (; i < m; i++) {
            int ci = cOff + i * n;
            Arrays.fill(c, ci, ci + n, init == null ? 0f : init[initOff + i]);
            for (int t = 0; t < k; t++) VectorMath.axpy(a[aOff + i * k + t], b, bOff + t * n, c, ci, n);
        }
    }

    private static float[] transpose(float[] a, int off, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) t[q * rows + r] = a[off + r * cols + q];
        }
        return t;
    }

    /**
     * c[i·n + j] += Σ_t a[aOff + i·len + t] · b[bOff + j·len + t]: the product A·Bᵀ of two row-major
     * matrices [m, len] and [n, len] (here gout[n] · colᵀ, both running along the positions).
     * Blocks of 4×2 dot products share their loads and keep eight accumulators in registers,
     * about three times the speed of one dot product at a time.
     */
    private static void addABt(int m, int n, int len, float[] a, int aOff, float[] b, int bOff, float[] c) {
        VectorSpecies<Float> sp = VectorMath.SPECIES;
        int lanes = sp.length(), up = sp.loopBound(len), i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * len, a1 = a0 + len, a2 = a1 + len, a3 = a2 + len, j = 0;
            for (; j + 2 <= n; j += 2) {
                int b0 = bOff + j * len, b1 = b0 + len, t = 0;
                FloatVector s00 = FloatVector.zero(sp), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
                for (; t < up; t += lanes) {
                    FloatVector v0 = FloatVector.fromArray(sp, b, b0 + t), v1 = FloatVector.fromArray(sp, b, b1 + t);
                    FloatVector u = FloatVector.fromArray(sp, a, a0 + t);
                    s00 = u.fma(v0, s00);
                    s01 = u.fma(v1, s01);
                    u = FloatVector.fromArray(sp, a, a1 + t);
                    s10 = u.fma(v0, s10);
                    s11 = u.fma(v1, s11);
                    u = FloatVector.fromArray(sp, a, a2 + t);
                    s20 = u.fma(v0, s20);
                    s21 = u.fma(v1, s21);
                    u = FloatVector.fromArray(sp, a, a3 + t);
                    s30 = u.fma(v0, s30);
                    s31 = u.fma(v1, s31);
                }
                float r00 = s00.reduceLanes(ADD), r01 = s01.reduceLanes(ADD), r10 = s10.reduceLanes(ADD), r11 = s11.reduceLanes(ADD);
                float r20 = s20.reduceLanes(ADD), r21 = s21.reduceLanes(ADD), r30 = s30.reduceLanes(ADD), r31 = s31.reduceLanes(ADD);
                for (; t < len; t++) {
                    float v0 = b[b0 + t], v1 = b[b1 + t];
                    r00 += a[a0 + t] * v0;
                    r01 += a[a0 + t] * v1;
                    r10 += a[a1 + t] * v0;
                    r11 += a[a1 + t] * v1;
                    r20 += a[a2 + t] * v0;
                    r21 += a[a2 + t] * v1;
                    r30 += a[a3 + t] * v0;
                    r31 += a[a3 + t] * v1;
                }
                int c0 = i * n + j;
                c[c0] += r00;
                c[c0 + 1] += r01;
                c[c0 + n] += r10;
                c[c0 + n + 1] += r11;
                c[c0 + 2 * n] += r20;
                c[c0 + 2 * n + 1] += r21;
                c[c0 + 3 * n] += r30;
                c[c0 + 3 * n + 1] += r31;
            }
            for (; j < n; j++) {
                for (int r = i; r < i + 4; r++) c[r * n + j] += VectorMath.dot(a, aOff + r * len, b, bOff + j * len, len);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) c[i * n + j] += VectorMath.dot(a, aOff + i * len, b, bOff + j * len, len);
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
