package gradus.kernels;

/**
 * The blocking of a weight-stored-compressed product Y [m, n] = X·Wᵀ over the cores: blocks of 64 rows of X
 * (64·k floats stay in L2) × a share of W's rows; a matrix-vector product splits W's rows over the threads
 * (each streams its share once).
 */
final class FloatRows {
    private static final int BLOCK = 64;

    @FunctionalInterface
    interface Block {
        void run(int i0, int i1, int j0, int j1);
    }

    private FloatRows() {}

    /**
     * The lanes of {@code v} added first to last, through {@code lanes} (one vector's length): deterministic, unlike
     * {@code reduceLanes(ADD)}, whose order differs between the interpreter and the JIT, and cheap, unlike a
     * loop of {@code lane(i)}, which is not compiled to a plain read.
     */
    static float sum(jdk.incubator.vector.FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0f;
        for (float f : lanes) s += f;
        return s;
    }

    static void run(int m, int n, int k, Block body) {
        int nb = m <= 4 ? Math.max(1, (n + 2 * Parallel.threads() - 1) / (2 * Parallel.threads())) : BLOCK;
        int mBlocks = (m + BLOCK - 1) / BLOCK, nTiles = (n + nb - 1) / nb;
        long work = (long) m * n * k;
        Parallel.forRange(mBlocks * nTiles, work < (1 << 17) ? Integer.MAX_VALUE : 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int i0 = t / nTiles * BLOCK, j0 = t % nTiles * nb;
                body.run(i0, Math.min(m, i0 + BLOCK), j0, Math.min(n, j0 + nb));
            }
        });
    }
}
