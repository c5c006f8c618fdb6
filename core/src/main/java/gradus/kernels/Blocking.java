package gradus.kernels;

/**
 * The cache blocking of {@link BlockedGemm}, from the micro-panel width NR (two vectors, so the vector width) and
 * the caches this core reports, after the analytical model of Low et al. ("Analytical modeling is enough for
 * high-performance BLIS", 2016): a KC×NR micro-panel of B fills 3/4 of L1 (the rest holds A's rows and C's tile);
 * an MC×KC block of A, read in place with its rows far apart, 3/8 of L2 (measured: half of L2 or more runs slower,
 * the rows then evict each other); a KC×NC block of B half of this core's share of L3. On the AVX2 Zen 3 the old
 * constants were measured on (32 KiB L1, 512 KiB L2, NR = 16) these give its KC = 384 and MC = 128.
 */
record Blocking(int kc, int mc, int nc) {
    static final Blocking CURRENT = of(CacheSizes.current(), MicroKernel.MR, MicroKernel.NR,
            Runtime.getRuntime().availableProcessors());

    static Blocking of(CacheSizes caches, int mr, int nr, int cores) {
        int kc = clamp(caches.l1d() * 3 / 4 / (4L * nr), 64, 1024) / 8 * 8;
        int mc = clamp(caches.l2() * 3 / 8 / (4L * kc), mr, 1024) / mr * mr;
        // Without an L3 (or with none reported) B's block streams from memory: a few times L2 still amortizes packing.
        long l3Share = caches.l3() > 0 ? caches.l3() / Math.max(1, cores) : caches.l2() * 4;
        int nc = clamp(l3Share / 2 / (4L * kc), 4 * nr, 4096) / nr * nr;
        return new Blocking(kc, mc, nc);
    }

    private static int clamp(long x, int lo, int hi) {
        return (int) Math.max(lo, Math.min(hi, x));
    }
}
