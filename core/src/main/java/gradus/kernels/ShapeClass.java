package gradus.kernels;

/**
 * The classes of products {@link Blas}'s automatic choice decides for. A class depends only on op(B)'s n×k — a
 * layer's weight — never on m, the batch: every batch size of a layer goes to the same provider, so a row's result
 * does not depend on the rows it is batched with under {@code auto} either. Each class has a representative shape
 * that the calibration times (m = a typical batch).
 */
enum ShapeClass {
    /** A short depth (a convolution's 3×3 patches of one channel: im2col columns times the weights). */
    SHALLOW(64, 4096, 16, false, "k < 32"),
    /** Few output columns over a long depth: that convolution's weight gradient, dY·colsᵀ (9 columns, pixels deep). */
    NARROW(64, 9, 4096, true, "n < 32"),
    /** op(B) under 2^17 floats (512 KiB), e.g. the MLP's layers. */
    SMALL(128, 128, 256, false, "n·k < 2^17"),
    /** op(B) under 2^20 floats (4 MiB). */
    MEDIUM(128, 512, 512, false, "n·k < 2^20"),
    /** Anything larger: transformer and large dense layers, big square products. */
    LARGE(64, 1024, 1024, false, "n·k >= 2^20");

    final int m, n, k;
    /** Whether the timed product takes op(B) = Bᵀ, as the class's typical product does. */
    final boolean transB;
    /** Which op(B) shapes belong to the class (the first class that matches). */
    final String rule;

    ShapeClass(int m, int n, int k, boolean transB, String rule) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.transB = transB;
        this.rule = rule;
    }

    static ShapeClass of(int n, int k) {
        if (k < 32) return SHALLOW;
        if (n < 32) return NARROW;
        long size = (long) n * k;
        return size < 1 << 17 ? SMALL : size < 1 << 20 ? MEDIUM : LARGE;
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
