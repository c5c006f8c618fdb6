package gradus.federated;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Client-level differential privacy, DP-FedAvg (McMahan, Ramage, Talwar, Zhang 2018): each client's update is
 * clipped to L2 norm {@code clipNorm} and counts once; the server adds Gaussian noise N(0, (σ·clipNorm)²) to the
 * sum and divides by the expected number of clients q·n (a fixed denominator, so one client's presence changes the
 * average by at most clipNorm/(q·n)). Clients must be sampled independently with probability q (Poisson, see
 * {@link ClientSampler#poisson}) for the RDP accountant's sampled-Gaussian analysis to apply; one round is one step.
 * What is protected is a whole client's data, not single examples.
 */
public record ClientDp(double clipNorm, double noiseMultiplier, RandomGenerator noise) {
    public ClientDp {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) throw new IllegalArgumentException("DP clip norm must be positive, got " + clipNorm);
        if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException("DP noise multiplier must be at least 0, got " + noiseMultiplier);
        }
    }

    /** Run on the client, before the update leaves it: scaled to norm at most clipNorm, counted as one example. */
    public ClientUpdate clip(ClientUpdate u) {
        return clip(u, clipNorm);
    }

    public static ClientUpdate clip(ClientUpdate u, double clipNorm) {
        double norm = u.norm();
        float scale = norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        float[] clipped = new float[u.delta().length];
        for (int i = 0; i < clipped.length; i++) clipped[i] = u.delta()[i] * scale;
        return new ClientUpdate(u.client(), clipped, 1);
    }

    /** The noisy average of clipped updates, given their sum (plain or securely aggregated). */
    public float[] noisyAverage(float[] sum, double expectedClients) {
        if (!(expectedClients > 0)) throw new IllegalArgumentException("expected clients must be positive, got " + expectedClients);
        double std = noiseMultiplier * clipNorm;
        float[] out = new float[sum.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) ((sum[i] + std * noise.nextGaussian()) / expectedClients);
        return out;
    }

    /** The sum of updates already clipped by {@link #clip}. */
    public static float[] sum(List<ClientUpdate> clipped, int dimension) {
        double[] s = new double[dimension];
        for (ClientUpdate u : clipped) {
            if (u.delta().length != dimension) throw new IllegalArgumentException("update of client " + u.client() + " has " + u.delta().length + " values, the model " + dimension);
            for (int i = 0; i < dimension; i++) s[i] += u.delta()[i];
        }
        float[] out = new float[dimension];
        for (int i = 0; i < dimension; i++) out[i] = (float) s[i];
        return out;
    }
}
