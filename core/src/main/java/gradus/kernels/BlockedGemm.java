package gradus.kernels;

import static gradus.kernels.MicroKernel.MR;
import static gradus.kernels.MicroKernel.NR;

/**
 * The cache-blocked GEMM behind {@link Gemm#sgemm} (the GotoBLAS/BLIS loop nest): a KC×NC block of op(B)
 * is packed into NR-wide micro-panels that live in L3/L1, an MC×KC block of op(A) stays in L2 (read in place
 * when A is row-major, packed into rows when it is transposed), and {@link MicroKernel} multiplies MR rows
 * of it by one micro-panel at a time. {@link Packing} reads either layout, so transposes cost no extra pass.
 * Threads split the rows or the columns of C in whole tiles; every C element sees the same sequence of
 * operations whatever the split, so results do not depend on the thread count.
 */
final class BlockedGemm {
    /** Depth of a block, rows of the A block, columns of the packed B block: from the caches ({@link Blocking}). */
    private static final int KC = Blocking.CURRENT.kc(), MC = Blocking.CURRENT.mc(), NC = Blocking.CURRENT.nc();
    /** Below this many multiply-adds per thread, forking costs more than it saves. */
    private static final long MIN_PARALLEL_WORK = 1 << 20;

    /** Each thread packs into its own buffers, reused across calls: fresh arrays would page-fault every call. */
    private static final class Buffers {
        float[] a = new float[0], b = new float[0];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private BlockedGemm() {}

    /** A single-threaded product with {@link Gemm#sgemm}'s arguments: {@link #serial} or OpenBLAS's. */
    @FunctionalInterface
    interface Kernel {
        void run(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        split(BlockedGemm::serial, MR, false, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * Runs {@code kernel} on whole-tile slices of C, one per thread (on the caller's thread when the product is
     * too small to split); row slices start at multiples of {@code rowTile}, the kernel's tile height, so that each
     * row keeps its place in a tile however the product is split. {@code rowsOnly}: never split the columns (OpenBLAS
     * rounds a row differently when it gets fewer columns, so a row's result would depend on the batch). OpenBLAS
     * runs single-threaded inside this split too: its own threads spin between calls and would take the cores from
     * the Java workers of the surrounding layers.
     */
    static void split(Kernel kernel, int rowTile, boolean rowsOnly, boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        long work = (long) m * n * k;
        if (rowsOnly || splitRows(transA, m, n, rowTile)) {
            int tiles = (m + rowTile - 1) / rowTile;
            Parallel.forRange(tiles, grain(tiles, work), (t0, t1) -> {
                int i0 = t0 * rowTile, i1 = Math.min(m, t1 * rowTile);
                kernel.run(transA, transB, i1 - i0, n, k, alpha, a, aOff + (transA ? i0 : i0 * lda), lda,
                        b, bOff, ldb, beta, c, cOff + i0 * ldc, ldc);
            });
        } else {
            int tiles = (n + NR - 1) / NR;
            Parallel.forRange(tiles, grain(tiles, work), (t0, t1) -> {
                int j0 = t0 * NR, j1 = Math.min(n, t1 * NR);
                kernel.run(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda,
                        b, bOff + (transB ? j0 * ldb : j0), ldb, beta, c, cOff + j0, ldc);
            });
        }
    }

    /**
     * Whether threads take rows of C rather than columns. Each thread packs the whole of whatever it does
     * not split: split rows and every thread packs all of op(B) (k·n); split columns and every thread
     * reads all of A (m·k), which costs about half as much as packing it, unless A is transposed and
     * must be packed too. A dimension too narrow for two tiles is not split.
     */
    private static boolean splitRows(boolean transA, int m, int n, int rowTile) {
        if (n < 2 * NR) return true;
        if (m < 2 * rowTile) return false;
        return transA ? n < m : 2 * n < m;
    }

    /** Tiles per chunk so that each thread gets at least {@link #MIN_PARALLEL_WORK}. */
    private static int grain(int tiles, long work) {
        return (int) Math.min(tiles, Math.max(1, tiles * MIN_PARALLEL_WORK / Math.max(1, work)));
    }

    static void serial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float beta, float[] c, int cOff, int ldc) {
        // Equal depth blocks (k = 400 gives 200 + 200, not 384 + 16) keep the short block efficient.
        int kBlocks = (k + KC - 1) / KC, kcMax = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.min(NC, roundUp(n, NR)), mcMax = Math.min(MC, roundUp(m, MR));
        Buffers buf = BUFFERS.get();
        int aSize = transA ? mcMax * kcMax : MR * kcMax; // a block of Aᵀ, or the last partial tile of A
        if (buf.a.length < aSize) buf.a = new float[aSize];
        if (buf.b.length < ncMax * kcMax) buf.b = new float[ncMax * kcMax];
        float[] ap = buf.a, bp = buf.b;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                if (transB) Packing.packBt(b, bOff + jc * ldb + pc, ldb, kc, nc, bp);
                else Packing.packB(b, bOff + pc * ldb + jc, ldb, kc, nc, bp);
                float betaBlock = pc == 0 ? beta : 1f; // later depth blocks accumulate onto the first
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic), fullRows = mc / MR * MR;
                    // Where the tiles' rows of op(A) live: in place for row-major A, else in the packed block.
                    float[] at;
                    int ao, ald;
                    if (transA) {
                        Packing.packAt(a, aOff + pc * lda + ic, lda, mc, kc, ap);
                        at = ap;
                        ao = 0;
                        ald = kc;
                    } else {
                        if (fullRows < mc) Packing.copyEdgeRows(a, aOff + (ic + fullRows) * lda + pc, lda, mc - fullRows, kc, ap);
                        at = a;
                        ao = aOff + ic * lda + pc;
                        ald = lda;
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        int co = cOff + ic * ldc + jc + jr;
                        for (int ir = 0; ir < mc; ir += MR) {
                            boolean edge = !transA && ir == fullRows; // the zero-padded copy of the last rows
                            MicroKernel.run(kc, edge ? ap : at, edge ? 0 : ao + ir * ald, edge ? kc : ald,
                                    bp, jr * kc, c, co + ir * ldc, ldc, Math.min(MR, mc - ir), cols, alpha, betaBlock, buf.tile);
                        }
                    }
                }
            }
        }
    }

    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }
}
