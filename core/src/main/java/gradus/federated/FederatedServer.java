package gradus.federated;

import gradus.privacy.PrivacyAccountant;

import java.util.List;

/**
 * The server side of federated training, without transport: holds the global weights, aggregates a round's
 * updates and applies them with the server optimizer. With {@link ClientDp} the aggregate is DP-FedAvg's noisy
 * average and every round is recorded in an RDP accountant.
 */
public final class FederatedServer {
    private final float[] weights;
    private final Aggregator aggregator;
    private final ServerOptimizer optimizer;
    private final ClientDp dp;
    private final double sampleRate;
    private final int clients;
    private final PrivacyAccountant accountant;
    private int round;

    /**
     * @param dp         null for no client-level DP; otherwise {@code aggregator} must be FedAvg
     * @param sampleRate the probability each of {@code clients} clients takes part in a round (used with DP only)
     */
    public FederatedServer(float[] initial, Aggregator aggregator, ServerOptimizer optimizer, ClientDp dp, double sampleRate, int clients) {
        if (dp != null && !aggregator.name().equals("fedavg")) {
            throw new IllegalArgumentException("client-level DP averages clipped updates itself; aggregator " + aggregator.name()
                    + " cannot be combined with it (use fedavg)");
        }
        this.weights = initial.clone();
        this.aggregator = aggregator;
        this.optimizer = optimizer;
        this.dp = dp;
        this.sampleRate = sampleRate;
        this.clients = clients;
        this.accountant = dp == null ? null : PrivacyAccountant.create("rdp");
    }

    public FederatedServer(float[] initial, Aggregator aggregator, ServerOptimizer optimizer) {
        this(initial, aggregator, optimizer, null, 1, 1);
    }

    /** A copy of the current global weights. */
    public float[] weights() {
        return weights.clone();
    }

    public int round() {
        return round;
    }

    public ClientDp dp() {
        return dp;
    }

    /** Ends a round from individual updates (clipped already when DP is on). An empty round still counts for DP. */
    public void finishRound(List<ClientUpdate> updates) {
        if (dp != null) {
            finishRoundFromSum(ClientDp.sum(updates, weights.length));
            return;
        }
        if (updates.isEmpty()) {
            round++;
            return;
        }
        optimizer.apply(weights, aggregator.aggregate(updates));
        round++;
    }

    /**
     * Ends a round from the sum of updates only (secure aggregation): with DP, the sum of clipped updates; without,
     * the example-weighted sum Σ nᵢ·Δᵢ together with Σ nᵢ.
     */
    public void finishRoundFromSum(float[] sum, long examples) {
        if (dp != null) throw new IllegalStateException("with client-level DP call finishRoundFromSum(sum)");
        if (!aggregator.name().equals("fedavg")) throw new IllegalStateException(aggregator.name() + " needs individual updates, not their sum");
        if (examples > 0) {
            float[] mean = new float[sum.length];
            for (int i = 0; i < sum.length; i++) mean[i] = (float) (sum[i] / examples);
            optimizer.apply(weights, mean);
        }
        round++;
    }

    /** Ends a DP round from the sum of clipped updates. */
    public void finishRoundFromSum(float[] clippedSum) {
        if (dp == null) throw new IllegalStateException("no client-level DP configured; call finishRoundFromSum(sum, examples)");
        optimizer.apply(weights, dp.noisyAverage(clippedSum, sampleRate * clients));
        accountant.step(dp.noiseMultiplier(), sampleRate);
        round++;
    }

    /** ε spent so far for δ, or NaN without DP. */
    public double epsilon(double delta) {
        if (accountant == null) return Double.NaN;
        if (round == 0) return 0;
        if (dp.noiseMultiplier() == 0) return Double.POSITIVE_INFINITY;
        return accountant.epsilon(delta);
    }
}
