package gradus.kernels;

/**
 * The classes of products {@link Blas}'s automatic choice decides for. A class depends only on op(B)'s n×k — a
 * layer's weight — never on m, the batch: every batch size of a layer goes to the same provider, so a row's result
 * does not depend on the rows it is batched with under {@code auto} either. Each class has a representative shape
 * that the calibration times (m = a typical batch).
 */
enum ShapeClass {
    /** One side of op(B) under 32 (convolutions' 3×3 patches of one channel, tiny layers). */
    THIN(64, 4096, 16, "min(n, k) < 32"),
    /** op(B) under 2^17 floats (512 KiB), e.g. the MLP's layers. */
    SMALL(128, 128, 256, "n·k < 2^17"),
    /** op(B) under 2^20 floats (4 MiB). */
    MEDIUM(128, 512, 512, "n·k < 2^20"),
    /** Anything larger: transformer and large dense layers, big square products. */
    LARGE(128, 1024, 1024, "n·k >= 2^20");

    final int m, n, k;
    /** Which op(B) shapes belong to the class (the first class that matches). */
    final String rule;

    ShapeClass(int m, int n, int k, String rule) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.rule = rule;
    }

    static ShapeClass of(int n, int k) {
        if (Math.min(n, k) < 32) return THIN;
        long size = (long) n * k;
        return size < 1 << 17 ? SMALL : size < 1 << 20 ? MEDIUM : LARGE;
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
