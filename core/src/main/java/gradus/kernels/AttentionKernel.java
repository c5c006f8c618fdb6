package gradus.kernels;

import java.util.Arrays;

/**
 * Scaled dot-product attention on raw arrays, one (batch, head) pair per task: S = scale·Q·Kᵀ,
 * masking, a row softmax P, then P·V. The forward keeps only P (for backward); the backward uses
 * dS = P ∘ (dP − rowsum(dP ∘ P)), with dP = dO·Vᵀ. Operands are row-major matrices per (b, h) at
 * {@code offset + b·batchStride + h·headStride} with rows {@code rowStride} apart, so Q, K, V can be
 * head-split views of a [B, T, H·d] projection and the output is written as [B, T, H, dv] directly.
 */
public final class AttentionKernel {
    /** Multiply-adds below which a task is not worth handing to another thread (decoding steps stay on the caller). */
    private static final int MIN_TASK_WORK = 1 << 16;

    private AttentionKernel() {}

    private static int grain(Shape s) {
        return Math.max(1, MIN_TASK_WORK / Math.max(1, s.tq * s.tk * (s.d + s.dv)));
    }

    /** A [B, H, rows, cols] array seen per (batch, head) as a row-major matrix. */
    public record Operand(float[] data, int offset, int batchStride, int headStride, int rowStride) {
        /** Heads of a token-major [B, T, …] buffer: T rows per batch {@code rowStride} apart, heads {@code headStride} apart. */
        public static Operand tokenMajor(float[] data, int offset, int t, int rowStride, int headStride) {
            return new Operand(data, offset, t * rowStride, headStride, rowStride);
        }

        int at(int b, int h) {
            return offset + b * batchStride + h * headStride;
        }
    }

    /**
     * Sizes and masks of one call. Query row i sees keys {@code j < i + 1 + (tk − tq)} when causal
     * (aligned at the end, so a chunk of new queries after cached keys works), and no key j with
     * {@code keyMasked[b·tk + j]} (null: none). Rows that see no key get zero output.
     */
    public record Shape(int batch, int heads, int tq, int tk, int d, int dv, float scale, boolean causal, boolean[] keyMasked,
                        Window window) {
        /** Full attention (no window). */
        public Shape(int batch, int heads, int tq, int tk, int d, int dv, float scale, boolean causal, boolean[] keyMasked) {
            this(batch, heads, tq, tk, d, dv, scale, causal, keyMasked, null);
        }

        int visible(int i) {
            return causal ? Math.max(0, Math.min(tk, i + 1 + tk - tq)) : tk;
        }

        /** Whether query row i of batch row b sees key j: causality, padding and the window together. */
        public boolean sees(int b, int i, int j) {
            int position = i + tk - tq;
            if ((causal && j > position) || (keyMasked != null && keyMasked[b * tk + j])) return false;
            return window == null || window.sees(position, j);
        }

        /**
         * How many floats the softmax rows (and dropout factors) of this call take: B·H·Tq·Tk for full attention,
         * B·H times {@link WindowedAttention}'s band layout, O(Tq·(2·radius + global)), with a window.
         */
        public long savedSize() {
            long perPair = window == null ? (long) tq * tk : WindowedAttention.Layout.of(this).size();
            return (long) batch * heads * perPair;
        }

        /** Values in the saved layout (softmax rows or dropout factors) spread out to [B·H, Tq, Tk], zero where unseen. */
        public float[] dense(float[] saved) {
            if (window == null) return saved;
            return WindowedAttention.Layout.of(this).dense(saved, batch * heads, tq, tk);
        }
    }

    /**
     * Sliding-window attention (Longformer, Mistral): the query at position p sees the keys at positions within
     * {@code radius} of p (only the earlier ones when causal), and the first {@code global} positions are global:
     * they see every key and every query sees them (when causal, they stay causal: attention sinks).
     */
    public record Window(int radius, int global) {
        public Window {
            if (radius < 0 || global < 0) throw new IllegalArgumentException("attention window needs radius >= 0 and global >= 0, got radius="
                    + radius + ", global=" + global);
        }

        boolean sees(int position, int key) {
            return position < global || key < global || Math.abs(position - key) <= radius;
        }

        /** Whether every query of a tq × tk call sees every key anyway, so the window changes nothing. */
        public boolean covers(int tq, int tk) {
            return radius >= Math.max(tq, tk) - 1; // positions run tk−tq … tk−1, keys 0 … tk−1
        }
    }

    /**
     * Fills {@code out} and, when {@code probs} is not null, the softmax rows [B·H, tq, tk] for backward.
     * {@code keep} (null: no dropout) holds per-entry factors 0 or 1/(1−p) applied to P before P·V.
     */
    public static void forward(Shape s, Operand q, Operand k, Operand v, float[] probs, float[] keep, Operand out) {
        if (s.window != null) {
            WindowedAttention.forward(s, q, k, v, probs, keep, out);
            return;
        }
        // Decoding steps (a query or two) stay on the products below, and so do shapes whose products run native: the
        // fused kernel is the Java kernels' arithmetic, so it gives the same bits as training only where they run.
        if (probs == null && keep == null && s.tq >= MicroKernel.MR
                && !Blas.nativeFor(s.tq, s.tk, s.d) && !Blas.nativeFor(s.tq, s.dv, s.tk)) {
            fused(s, q, k, v, out);
            return;
        }
        int pairs = s.batch * s.heads, area = s.tq * s.tk;
        Parallel.forRange(pairs, grain(s), (p0, p1) -> {
            float[] scratch = probs == null ? new float[area] : null;
            float[] dropped = keep == null ? null : new float[area];
            for (int p = p0; p < p1; p++) {
                int b = p / s.heads, h = p % s.heads;
                float[] pm = probs == null ? scratch : probs;
                int po = probs == null ? 0 : p * area;
                Gemm.sgemm(false, true, s.tq, s.tk, s.d, s.scale, q.data, q.at(b, h), q.rowStride,
                        k.data, k.at(b, h), k.rowStride, 0f, pm, po, s.tk);
                softmaxRows(s, b, pm, po);
                float[] pv = pm;
                int pvo = po;
                if (keep != null) {
                    VectorMath.mul(pm, po, keep, p * area, dropped, 0, area);
                    pv = dropped;
                    pvo = 0;
                }
                Gemm.sgemm(false, false, s.tq, s.dv, s.tk, 1f, pv, pvo, s.tk, v.data, v.at(b, h), v.rowStride,
                        0f, out.data, out.at(b, h), out.rowStride);
            }
        });
    }

    /**
     * Attention without keeping P (inference): per (batch, head), K and V are packed once, then each block of
     * {@link MicroKernel#MR} query rows gets its scores, softmax and ·V while its score rows sit in L1, with no
     * full score matrix and no per-product set-up. The products are the micro-kernel's, as {@link Gemm} runs
     * them for these operands while the keys fit one depth block (384 with AVX2), so up to that length the
     * result has the same bits as the path that keeps P; beyond it, or where Gemm hands a product to
     * OpenBLAS, the two differ by rounding only.
     */
    private static void fused(Shape s, Operand q, Operand k, Operand v, Operand out) {
        int mr = MicroKernel.MR, nr = MicroKernel.NR;
        int keyWidth = BlockedGemm.roundUp(s.tk, nr), valueWidth = BlockedGemm.roundUp(s.dv, nr);
        Parallel.forRange(s.batch * s.heads, grain(s), (p0, p1) -> {
            float[] kt = new float[keyWidth * s.d], vp = new float[valueWidth * s.tk];
            float[] scores = new float[mr * keyWidth], edge = new float[mr * s.d], tile = new float[mr * nr];
            for (int p = p0; p < p1; p++) {
                int b = p / s.heads, h = p % s.heads, qo = q.at(b, h), oo = out.at(b, h);
                Packing.packBt(k.data, k.at(b, h), k.rowStride, s.d, s.tk, kt);
                Packing.packB(v.data, v.at(b, h), v.rowStride, s.tk, s.dv, vp);
                for (int i0 = 0; i0 < s.tq; i0 += mr) {
                    int rows = Math.min(mr, s.tq - i0);
                    // Keys that any row of the block sees; the rest of each row is zeroed by its softmax.
                    int keys = s.visible(i0 + rows - 1), keyPanels = (keys + nr - 1) / nr;
                    float[] a = q.data;
                    int ao = qo + i0 * q.rowStride, lda = q.rowStride;
                    if (rows < mr) { // the last rows, zero-padded to a whole tile
                        Packing.copyEdgeRows(q.data, ao, lda, rows, s.d, edge);
                        a = edge;
                        ao = 0;
                        lda = s.d;
                    }
                    for (int j = 0; j < keyPanels; j++) {
                        MicroKernel.run(s.d, a, ao, lda, kt, j * nr * s.d, scores, j * nr, keyWidth, mr, nr, s.scale, 0f, tile);
                    }
                    for (int r = 0; r < rows; r++) softmaxRow(s, b, i0 + r, scores, r * keyWidth);
                    for (int j = 0; j < valueWidth / nr; j++) {
                        MicroKernel.run(s.tk, scores, 0, keyWidth, vp, j * nr * s.tk, out.data, oo + i0 * out.rowStride + j * nr,
                                out.rowStride, rows, Math.min(nr, s.dv - j * nr), 1f, 0f, tile);
                    }
                }
            }
        });
    }

    /** Masked, numerically stable softmax of each score row in place; masked entries become 0. */
    private static void softmaxRows(Shape s, int b, float[] a, int off) {
        for (int i = 0; i < s.tq; i++) softmaxRow(s, b, i, a, off + i * s.tk);
    }

    /** Softmax of query row i's tk scores at {@code row}, in place; keys it does not see become 0. */
    private static void softmaxRow(Shape s, int b, int i, float[] a, int row) {
        boolean[] masked = s.keyMasked;
        int n = s.visible(i);
        if (masked != null) {
            for (int j = 0; j < n; j++) if (masked[b * s.tk + j]) a[row + j] = Float.NEGATIVE_INFINITY;
        }
        float max = n == 0 ? Float.NEGATIVE_INFINITY : VectorMath.max(a, row, n);
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(a, row, row + s.tk, 0f);
            return;
        }
        float inv = 1f / VectorMath.expSum(a, row, -max, a, row, n);
        VectorMath.scaleShift(a, row, inv, 0f, a, row, n);
        Arrays.fill(a, row + n, row + s.tk, 0f);
    }

    /**
     * Gradients of the inputs from the output gradient {@code gOut} and the stored softmax rows.
     * Each of gq, gk, gv may be null when that input needs no gradient; they are overwritten.
     */
    public static void backward(Shape s, Operand q, Operand k, Operand v, float[] probs, float[] keep,
                                Operand gOut, Operand gq, Operand gk, Operand gv) {
        if (s.window != null) {
            WindowedAttention.backward(s, q, k, v, probs, keep, gOut, gq, gk, gv);
            return;
        }
        int pairs = s.batch * s.heads, area = s.tq * s.tk;
        Parallel.forRange(pairs, grain(s), (p0, p1) -> {
            float[] dp = new float[area], dropped = keep == null ? null : new float[area];
            for (int p = p0; p < p1; p++) {
                int b = p / s.heads, h = p % s.heads, po = p * area;
                if (gv != null) {
                    float[] pv = probs;
                    int pvo = po;
                    if (keep != null) {
                        VectorMath.mul(probs, po, keep, po, dropped, 0, area);
                        pv = dropped;
                        pvo = 0;
                    }
                    Gemm.sgemm(true, false, s.tk, s.dv, s.tq, 1f, pv, pvo, s.tk, gOut.data, gOut.at(b, h), gOut.rowStride,
                            0f, gv.data, gv.at(b, h), gv.rowStride);
                }
                if (gq == null && gk == null) continue;
                Gemm.sgemm(false, true, s.tq, s.tk, s.dv, 1f, gOut.data, gOut.at(b, h), gOut.rowStride,
                        v.data, v.at(b, h), v.rowStride, 0f, dp, 0, s.tk);
                if (keep != null) VectorMath.mul(dp, 0, keep, po, dp, 0, area);
                for (int i = 0; i < s.tq; i++) {
                    int row = i * s.tk;
                    // Σ_j P_ij·dP_ij; entries outside the visible keys have P = 0 and drop out below.
                    float rowDot = VectorMath.dot(probs, po + row, dp, row, s.tk);
                    VectorMath.scaleShift(dp, row, 1f, -rowDot, dp, row, s.tk);
                    VectorMath.mul(dp, row, probs, po + row, dp, row, s.tk);
                }
                if (gq != null) {
                    Gemm.sgemm(false, false, s.tq, s.d, s.tk, s.scale, dp, 0, s.tk, k.data, k.at(b, h), k.rowStride,
                            0f, gq.data, gq.at(b, h), gq.rowStride);
                }
                if (gk != null) {
                    Gemm.sgemm(true, false, s.tk, s.d, s.tq, s.scale, dp, 0, s.tk, q.data, q.at(b, h), q.rowStride,
                            0f, gk.data, gk.at(b, h), gk.rowStride);
                }
            }
        });
    }
}
