package gradus.tensor;

import java.util.SplittableRandom;

/**
 * A seeded random generator. Every random tensor, initializer, dropout mask and shuffle draws
 * from one of these, so a seed fixes a run. {@link #global()} plays the role of PyTorch's default
 * generator and is reset by {@link #manualSeed(long)}.
 */
public final class Rng {
    private static volatile Rng global = new Rng(0x6772616475L);

    private SplittableRandom random;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public static Rng global() {
        return global;
    }

    /**
     * The seed of stream {@code stream} (an epoch, say) of a run seeded with {@code seed}: nearby seeds and
     * streams give unrelated generators.
     */
    public static long derive(long seed, long stream) {
        return mix(seed ^ mix(stream + 0x9E3779B97F4A7C15L));
    }

    /** A 64-bit finalizer (Stafford variant 13). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Reseeds the global generator (like {@code torch.manual_seed}). */
    public static void manualSeed(long seed) {
        global = new Rng(seed);
    }

    public synchronized float nextFloat() {
        return (float) random.nextDouble();
    }

    public synchronized double nextDouble() {
        return random.nextDouble();
    }

    public synchronized double nextGaussian() {
        return random.nextGaussian();
    }

    public synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public synchronized long nextLong() {
        return random.nextLong();
    }

    /** A new independent generator derived from this one (for worker threads). */
    public synchronized Rng split() {
        Rng r = new Rng(0);
        r.random = random.split();
        return r;
    }

    /** Fills {@code out} with uniform samples in [lo, hi). */
    public synchronized void uniform(float[] out, float lo, float hi) {
        double span = (double) hi - lo;
        for (int i = 0; i < out.length; i++) out[i] = (float) (lo + span * random.nextDouble());
    }

    /** Fills {@code out} with normal samples of the given mean and standard deviation. */
    public synchronized void normal(float[] out, float mean, float std) {
        for (int i = 0; i < out.length; i++) out[i] = (float) (mean + std * random.nextGaussian());
    }

    /** A permutation of 0..n-1 (Fisher-Yates). */
    public synchronized int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
