package gradus.federated;

/**
 * What a client sends back after local training: {@code delta} = local weights − global weights, and the
 * number of examples it trained on (FedAvg's weight).
 */
public record ClientUpdate(String client, float[] delta, int examples) {
    public ClientUpdate {
        if (examples < 0) throw new IllegalArgumentException("client " + client + " reports " + examples + " examples");
    }

    /** The L2 norm of the delta. */
    public double norm() {
        double s = 0;
        for (float v : delta) s += (double) v * v;
        return Math.sqrt(s);
    }
}
