package gradus.kernels;

import java.util.Arrays;

/**
 * Sliding-window attention ({@link AttentionKernel.Window}) in O(Tq·(2·radius + global)) memory: query rows go in
 * blocks of {@link #BLOCK}, and a block's scores are computed only against the keys its rows can see — the global
 * keys, then the band of keys around the block — into a rows × (global + band) tile. Those tiles, laid end to end
 * ({@link Layout}), are what forward keeps for backward in place of the Tq × Tk softmax matrix; rows of global
 * queries see every key and so have tiles Tk wide. Per tile, forward and backward are the full-attention formulas
 * (S = scale·Q·Kᵀ, P = softmax(S), O = P·V; dS = P ∘ (dP − rowsum(dP ∘ P))) on the tile's keys. Within a row,
 * the softmax runs over the same span of keys as full attention's, so a window covering the sequence gives its
 * output bit for bit where the products run on the same GEMM provider (WindowedAttentionTest).
 */
final class WindowedAttention {
    /** Query rows per tile: large enough for the products to run packed, small against a typical band. */
    static final int BLOCK = 32;

    private WindowedAttention() {}

    /**
     * The tiles of one (batch, head) pair: tile t covers query rows [r0, r1) and sees the first {@code globals}
     * keys (columns 0 … globals−1) and keys [k0, k1) (the columns after); it starts at {@code offset} in the
     * pair's part of the saved buffer. The same for every pair of a call.
     */
    record Layout(int[] r0, int[] r1, int[] globals, int[] k0, int[] k1, int[] offset, int size, int widest) {
        static Layout of(AttentionKernel.Shape s) {
            AttentionKernel.Window w = s.window();
            int shift = s.tk() - s.tq(), global = Math.min(w.global(), s.tk());
            int globalRows = Math.clamp(global - shift, 0, s.tq()); // rows whose position is global
            int tiles = ceil(globalRows) + ceil(s.tq() - globalRows);
            int[] r0 = new int[tiles], r1 = new int[tiles], g = new int[tiles], k0 = new int[tiles], k1 = new int[tiles], off = new int[tiles];
            long size = 0;
            int widest = 0, t = 0;
            for (int start = 0; start < s.tq(); t++) {
                int end = Math.min(start < globalRows ? globalRows : s.tq(), start + BLOCK);
                int first = start + shift, last = end - 1 + shift; // positions of the tile's rows
                if (start < globalRows) { // global queries see every key (the earlier ones when causal)
                    k0[t] = 0;
                    k1[t] = s.causal() ? Math.clamp(last + 1, 0, s.tk()) : s.tk();
                } else {
                    k0[t] = Math.clamp((long) first - w.radius(), 0, s.tk());
                    k1[t] = Math.clamp((s.causal() ? last : (long) last + w.radius()) + 1, k0[t], s.tk());
                    g[t] = Math.min(global, k0[t]); // global keys the band does not already hold
                }
                r0[t] = start;
                r1[t] = end;
                off[t] = Math.toIntExact(size);
                int width = g[t] + k1[t] - k0[t];
                widest = Math.max(widest, width);
                size += (long) (end - start) * width;
                start = end;
            }
            if (size * s.batch() * s.heads() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("windowed attention over " + s.batch() + "×" + s.heads() + " heads, " + s.tq() + " queries and "
                        + s.tk() + " keys keeps " + size * s.batch() * s.heads() + " weights, more than one array holds");
            }
            return new Layout(r0, r1, g, k0, k1, off, (int) size, widest);
        }

        private static int ceil(int rows) {
            return (rows + BLOCK - 1) / BLOCK;
        }

        int tiles() {
            return r0.length;
        }

        int width(int t) {
            return globals[t] + k1[t] - k0[t];
        }

        /** The key at column c of tile t. */
        int key(int t, int c) {
            return c < globals[t] ? c : k0[t] + c - globals[t];
        }

        /** Tiles of {@code pairs} pairs spread out to [pairs, tq, tk]. */
        float[] dense(float[] saved, int pairs, int tq, int tk) {
            float[] out = new float[Math.multiplyExact(pairs, Math.multiplyExact(tq, tk))];
            for (int p = 0; p < pairs; p++) {
                for (int t = 0; t < tiles(); t++) {
                    int width = width(t);
                    for (int i = r0[t]; i < r1[t]; i++) {
                        int from = p * size + offset[t] + (i - r0[t]) * width, to = (p * tq + i) * tk;
                        for (int c = 0; c < width; c++) out[to + key(t, c)] = saved[from + c];
                    }
                }
            }
            return out;
        }
    }

    /** {@link AttentionKernel#forward} with a window: one task per tile. */
    static void forward(AttentionKernel.Shape s, AttentionKernel.Operand q, AttentionKernel.Operand k, AttentionKernel.Operand v,
                        float[] probs, float[] keep, AttentionKernel.Operand out) {
        Layout l = Layout.of(s);
        int tiles = l.tiles();
        Parallel.forRange(s.batch() * s.heads() * tiles, grain(s, l), (t0, t1) -> {
            float[] scratch = probs == null ? new float[BLOCK * l.widest()] : null;
            float[] dropped = keep == null ? null : new float[BLOCK * l.widest()];
            for (int task = t0; task < t1; task++) {
                int p = task / tiles, t = task % tiles, b = p / s.heads(), h = p % s.heads();
                int rows = l.r1()[t] - l.r0()[t], width = l.width(t), g = l.globals()[t], k0 = l.k0()[t], band = l.k1()[t] - k0;
                float[] pm = probs == null ? scratch : probs;
                int po = probs == null ? 0 : p * l.size() + l.offset()[t];
                int qo = q.at(b, h) + l.r0()[t] * q.rowStride(), ko = k.at(b, h), vo = v.at(b, h);
                Gemm.sgemm(false, true, rows, band, s.d(), s.scale(), q.data(), qo, q.rowStride(),
                        k.data(), ko + k0 * k.rowStride(), k.rowStride(), 0f, pm, po + g, width);
                Gemm.sgemm(false, true, rows, g, s.d(), s.scale(), q.data(), qo, q.rowStride(), k.data(), ko, k.rowStride(), 0f, pm, po, width);
                for (int r = 0; r < rows; r++) softmaxRow(s, l, t, b, l.r0()[t] + r, pm, po + r * width);
                float[] pv = pm;
                int pvo = po;
                if (keep != null) {
                    VectorMath.mul(pm, po, keep, p * l.size() + l.offset()[t], dropped, 0, rows * width);
                    pv = dropped;
                    pvo = 0;
                }
                int oo = out.at(b, h) + l.r0()[t] * out.rowStride();
                Gemm.sgemm(false, false, rows, s.dv(), band, 1f, pv, pvo + g, width, v.data(), vo + k0 * v.rowStride(), v.rowStride(),
                        0f, out.data(), oo, out.rowStride());
                if (g > 0) {
                    Gemm.sgemm(false, false, rows, s.dv(), g, 1f, pv, pvo, width, v.data(), vo, v.rowStride(), 1f, out.data(), oo, out.rowStride());
                }
            }
        });
    }

    /**
     * Softmax of query row i's tile row in place. It runs over the row's span of columns (from its first key in
     * reach to its last, unseen keys inside it at −∞), as full attention's runs over the keys up to the causal edge.
     */
    private static void softmaxRow(AttentionKernel.Shape s, Layout l, int t, int b, int i, float[] a, int row) {
        int position = i + s.tk() - s.tq(), g = l.globals()[t], k0 = l.k0()[t], k1 = l.k1()[t], width = l.width(t);
        int global = Math.min(s.window().global(), s.tk());
        int start, end;
        if (position < global) { // a global query: keys from the first
            start = 0;
            end = (s.causal() ? Math.clamp(position + 1, 0, k1) : k1) - k0;
        } else {
            int lo = (int) Math.max(k0, (long) position - s.window().radius());
            int hi = (int) Math.max(lo, Math.min(k1, (s.causal() ? position : (long) position + s.window().radius()) + 1));
            start = global > 0 ? 0 : lo - k0; // column 0 is a global key: a global column, or the band's first key
            end = g + hi - k0;
        }
        for (int c = start; c < end; c++) if (!s.sees(b, i, l.key(t, c))) a[row + c] = Float.NEGATIVE_INFINITY;
        float max = end > start ? VectorMath.max(a, row + start, end - start) : Float.NEGATIVE_INFINITY;
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(a, row, row + width, 0f);
            return;
        }
        float inv = 1f / VectorMath.expSum(a, row + start, -max, a, row + start, end - start);
        VectorMath.scaleShift(a, row + start, inv, 0f, a, row + start, end - start);
        Arrays.fill(a, row, row + start, 0f);
        Arrays.fill(a, row + end, row + width, 0f);
    }

    /** {@link AttentionKernel#backward} with a window: one task per (batch, head), whose tiles add into its key gradients. */
    static void backward(AttentionKernel.Shape s, AttentionKernel.Operand q, AttentionKernel.Operand k, AttentionKernel.Operand v,
                         float[] probs, float[] keep, AttentionKernel.Operand gOut,
                         AttentionKernel.Operand gq, AttentionKernel.Operand gk, AttentionKernel.Operand gv) {
        Layout l = Layout.of(s);
        Parallel.forRange(s.batch() * s.heads(), Math.max(1, grain(s, l) / Math.max(1, l.tiles())), (p0, p1) -> {
            float[] dp = new float[BLOCK * l.widest()], dropped = keep == null ? null : new float[BLOCK * l.widest()];
            for (int p = p0; p < p1; p++) {
                int b = p / s.heads(), h = p % s.heads();
                if (gk != null) zeroRows(gk, b, h, s.tk(), s.d());
                if (gv != null) zeroRows(gv, b, h, s.tk(), s.dv());
                for (int t = 0; t < l.tiles(); t++) {
                    int rows = l.r1()[t] - l.r0()[t], width = l.width(t), g = l.globals()[t], k0 = l.k0()[t], band = l.k1()[t] - k0;
                    int po = p * l.size() + l.offset()[t];
                    int qo = q.at(b, h) + l.r0()[t] * q.rowStride(), go = gOut.at(b, h) + l.r0()[t] * gOut.rowStride();
                    if (gv != null) {
                        float[] pv = probs;
                        int pvo = po;
                        if (keep != null) {
                            VectorMath.mul(probs, po, keep, po, dropped, 0, rows * width);
                            pv = dropped;
                            pvo = 0;
                        }
                        int vo = gv.at(b, h);
                        Gemm.sgemm(true, false, band, s.dv(), rows, 1f, pv, pvo + g, width, gOut.data(), go, gOut.rowStride(),
                                1f, gv.data(), vo + k0 * gv.rowStride(), gv.rowStride());
                        Gemm.sgemm(true, false, g, s.dv(), rows, 1f, pv, pvo, width, gOut.data(), go, gOut.rowStride(), 1f, gv.data(), vo, gv.rowStride());
                    }
                    if (gq == null && gk == null) continue;
                    int vo = v.at(b, h);
                    Gemm.sgemm(false, true, rows, band, s.dv(), 1f, gOut.data(), go, gOut.rowStride(), v.data(), vo + k0 * v.rowStride(), v.rowStride(),
                            0f, dp, g, width);
                    Gemm.sgemm(false, true, rows, g, s.dv(), 1f, gOut.data(), go, gOut.rowStride(), v.data(), vo, v.rowStride(), 0f, dp, 0, width);
                    if (keep != null) VectorMath.mul(dp, 0, keep, po, dp, 0, rows * width);
                    for (int r = 0; r < rows; r++) {
                        int row = r * width;
                        // Σ_c P·dP over the tile row; columns the row does not see have P = 0 and drop out.
                        float rowDot = VectorMath.dot(probs, po + row, dp, row, width);
                        VectorMath.scaleShift(dp, row, 1f, -rowDot, dp, row, width);
                        VectorMath.mul(dp, row, probs, po + row, dp, row, width);
                    }
                    int ko = k.at(b, h);
                    if (gq != null) {
                        int o = gq.at(b, h) + l.r0()[t] * gq.rowStride();
                        Gemm.sgemm(false, false, rows, s.d(), band, s.scale(), dp, g, width, k.data(), ko + k0 * k.rowStride(), k.rowStride(),
                                0f, gq.data(), o, gq.rowStride());
                        Gemm.sgemm(false, false, rows, s.d(), g, s.scale(), dp, 0, width, k.data(), ko, k.rowStride(), 1f, gq.data(), o, gq.rowStride());
                    }
                    if (gk != null) {
                        int o = gk.at(b, h);
                        Gemm.sgemm(true, false, band, s.d(), rows, s.scale(), dp, g, width, q.data(), qo, q.rowStride(),
                                1f, gk.data(), o + k0 * gk.rowStride(), gk.rowStride());
                        Gemm.sgemm(true, false, g, s.d(), rows, s.scale(), dp, 0, width, q.data(), qo, q.rowStride(), 1f, gk.data(), o, gk.rowStride());
                    }
                }
            }
        });
    }

    private static void zeroRows(AttentionKernel.Operand x, int b, int h, int rows, int cols) {
        for (int j = 0, o = x.at(b, h); j < rows; j++, o += x.rowStride()) Arrays.fill(x.data(), o, o + cols, 0f);
    }

    /** Tiles per task so that a task is worth handing to another thread. */
    private static int grain(AttentionKernel.Shape s, Layout l) {
        return Math.max(1, (1 << 16) / Math.max(1, BLOCK * l.widest() * (s.d() + s.dv())));
    }
}
