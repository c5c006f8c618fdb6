package gradus.federated;

import java.util.Locale;

/**
 * Applies the aggregated update Δ (the negative pseudo-gradient) to the global weights. {@link #sgd} with lr 1 is
 * plain FedAvg; {@link #adam} is FedAdam (Reddi et al. 2021, "Adaptive Federated Optimization", algorithm 2: no bias
 * correction, τ the adaptivity floor).
 */
public interface ServerOptimizer {
    void apply(float[] weights, float[] delta);

    String name();

    static ServerOptimizer named(String name, double lr) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd", "fedavg" -> sgd(lr);
            case "adam", "fedadam" -> adam(lr, 0.9, 0.99, 1e-3);
            default -> throw new IllegalArgumentException("unknown server optimizer '" + name + "'; known: sgd, adam");
        };
    }

    /** x ← x + η·Δ. */
    static ServerOptimizer sgd(double lr) {
        return new ServerOptimizer() {
            public void apply(float[] weights, float[] delta) {
                check(weights, delta);
                for (int i = 0; i < weights.length; i++) weights[i] += (float) (lr * delta[i]);
            }

            public String name() {
                return "sgd";
            }
        };
    }

    /** m ← β1·m + (1−β1)·Δ, v ← β2·v + (1−β2)·Δ², x ← x + η·m / (√v + τ). */
    static ServerOptimizer adam(double lr, double beta1, double beta2, double tau) {
        return new ServerOptimizer() {
            private double[] m, v;

            public void apply(float[] weights, float[] delta) {
                check(weights, delta);
                if (m == null) {
                    m = new double[weights.length];
                    v = new double[weights.length];
                }
                for (int i = 0; i < weights.length; i++) {
                    m[i] = beta1 * m[i] + (1 - beta1) * delta[i];
                    v[i] = beta2 * v[i] + (1 - beta2) * (double) delta[i] * delta[i];
                    weights[i] += (float) (lr * m[i] / (Math.sqrt(v[i]) + tau));
                }
            }

            public String name() {
                return "adam";
            }
        };
    }

    private static void check(float[] weights, float[] delta) {
        if (weights.length != delta.length) {
            throw new IllegalArgumentException("update has " + delta.length + " values, the model " + weights.length);
        }
    }
}
