package gradus.kernels;

import static gradus.kernels.MicroKernel.MR;
import static gradus.kernels.MicroKernel.NR;

/**
 * A Linear weight W [n, k] packed once into the micro-panels of Wᵀ that {@link MicroKernel} reads, for
 * inference: {@code x·Wᵀ} then skips the per-call packing that {@link Gemm} does. For a few rows (one
 * short sentence) that packing costs about as much as the product itself, since each weight is used by
 * only those few rows. Products large enough for the native BLAS ({@link Blas}) go there instead, with a
 * plain copy of W kept for them. Both copies are taken once and do not follow later changes to W.
 */
public final class PackedWeight {
    /** Depth of one block, as in the blocked GEMM: a KC×NR panel stays in L1. */
    private static final int KC = 384;
    /** Rows of A per block: MC×KC floats stay in L2 while every panel passes over them. */
    private static final int MC = 128;
    /**
     * Below this many multiply-adds per thread the product stays on the calling thread. A short sentence
     * through a pretrained encoder streams its weights from memory (MiniLM: 42 MB, more than the
     * cache), and two threads stream them about 1.6× as fast as one: MiniLM at 1×16 took 3.8–5.9 ms
     * split at this size, 7.0–7.9 ms with the products kept on one thread (quiet machine, 2 cores).
     */
    private static final long MIN_PARALLEL_WORK = 1 << 20;

    private final int n, k, kcMax;
    private final float[] weight;   // W [n, k] as given, for products that the native BLAS runs
    private final float[][] blocks; // per depth block: the NR-wide panels of Wᵀ, kc × NR each, zero-padded past n

    private PackedWeight(int n, int k, int kcMax, float[] weight, float[][] blocks) {
        this.n = n;
        this.k = k;
        this.kcMax = kcMax;
        this.weight = weight;
        this.blocks = blocks;
    }

    /** Packs W [n, k], stored row-major from {@code off}. */
    public static PackedWeight of(float[] w, int off, int n, int k) {
        if (n <= 0 || k <= 0) throw new IllegalArgumentException("a packed weight needs positive sizes, got [" + n + ", " + k + "]");
        if (off < 0 || (long) off + (long) n * k > w.length) {
            throw new IllegalArgumentException("weight [" + n + ", " + k + "] at offset " + off + " does not fit in " + w.length + " floats");
        }
        int kBlocks = (k + KC - 1) / KC, kcMax = (k + kBlocks - 1) / kBlocks, width = (n + NR - 1) / NR * NR;
        float[][] blocks = new float[kBlocks][];
        for (int b = 0; b < kBlocks; b++) {
            int pc = b * kcMax, kc = Math.min(kcMax, k - pc);
            blocks[b] = new float[width * kc];
            Packing.packBt(w, off + pc, k, kc, n, blocks[b]);
        }
        return new PackedWeight(n, k, kcMax, java.util.Arrays.copyOfRange(w, off, off + n * k), blocks);
    }

    /** Output features (W's rows). */
    public int outFeatures() {
        return n;
    }

    /** Input features (W's columns). */
    public int inFeatures() {
        return k;
    }

    /**
     * C = A·Wᵀ + beta·C for A [m, k] (rows {@code lda} apart from {@code aOff}) and C [m, n] (rows
     * {@code ldc} apart from {@code cOff}); beta 0 overwrites C, 1 adds to it (e.g. a bias written first).
     * Threads take column panels, so each result is computed the same way whatever their number.
     */
    public void multiply(int m, float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc) {
        if (m <= 0) return;
        if (Blas.nativeFor(m, n, k)) { // large batches: the native kernel outruns ours even with its own packing
            Gemm.sgemm(false, true, m, n, k, 1f, a, aOff, lda, weight, 0, k, beta, c, cOff, ldc);
            return;
        }
        int panels = (n + NR - 1) / NR;
        long work = (long) m * n * k;
        int grain = (int) Math.min(panels, Math.max(1, panels * MIN_PARALLEL_WORK / Math.max(1, work)));
        Parallel.forRange(panels, grain, (p0, p1) -> panels(p0, p1, m, a, aOff, lda, beta, c, cOff, ldc));
    }

    private void panels(int p0, int p1, int m, float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc) {
        float[] tile = new float[MR * NR];
        int fullRows = m / MR * MR;
        float[] edge = fullRows < m ? new float[MR * kcMax] : null; // the last rows, zero-padded to a whole tile
        for (int b = 0; b < blocks.length; b++) {
            int pc = b * kcMax, kc = Math.min(kcMax, k - pc);
            float[] bp = blocks[b];
            float betaBlock = b == 0 ? beta : 1f; // later depth blocks accumulate onto the first
            if (edge != null) Packing.copyEdgeRows(a, aOff + fullRows * lda + pc, lda, m - fullRows, kc, edge);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = Math.min(MC, m - ic);
                for (int p = p0; p < p1; p++) {
                    int j = p * NR, cols = Math.min(NR, n - j);
                    for (int ir = ic; ir < ic + mc; ir += MR) {
                        boolean isEdge = ir == fullRows;
                        MicroKernel.run(kc, isEdge ? edge : a, isEdge ? 0 : aOff + ir * lda + pc, isEdge ? kc : lda,
                                bp, p * NR * kc, c, cOff + ir * ldc + j, ldc, Math.min(MR, m - ir), cols, 1f, betaBlock, tile);
                    }
                }
            }
        }
    }
}
