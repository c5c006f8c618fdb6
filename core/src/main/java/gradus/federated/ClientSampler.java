package gradus.federated;

import gradus.tensor.Rng;

import java.util.Arrays;

/**
 * Picks the clients of a round: max(minimum, ⌈fraction·n⌉) of the n available (all of them when fewer), uniformly
 * without replacement, from a generator seeded by the run's seed and the round, so a run can be repeated.
 */
public record ClientSampler(double fraction, int minimum, long seed) {
    public ClientSampler {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("client fraction must be in (0, 1], got " + fraction);
        if (minimum < 1) throw new IllegalArgumentException("minimum clients must be at least 1, got " + minimum);
    }

    public static ClientSampler all() {
        return new ClientSampler(1, 1, 0);
    }

    public int count(int available) {
        return Math.min(available, Math.max(minimum, (int) Math.ceil(fraction * available - 1e-9)));
    }

    /** Indices into the {@code available} clients, ascending. */
    public int[] sample(int available, int round) {
        int[] order = new Rng(Rng.derive(seed, round)).permutation(available);
        int[] picked = Arrays.copyOf(order, count(available));
        Arrays.sort(picked);
        return picked;
    }

    /** Each of the {@code available} clients independently with probability {@code fraction} (for DP accounting); may be empty. */
    public int[] poisson(int available, int round) {
        Rng rng = new Rng(Rng.derive(seed, round));
        return java.util.stream.IntStream.range(0, available).filter(i -> rng.nextDouble() < fraction).toArray();
    }
}
