package gradus.federated;

import gradus.tensor.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Non-IID client data for experiments (Hsu, Qi, Brown 2019): for each class, the share each client gets is drawn
 * from a symmetric Dirichlet(α). Small α gives each client few classes; large α approaches an IID split. Seeded.
 */
public final class DirichletSplit {
    private static final int ATTEMPTS = 100;

    private DirichletSplit() {}

    /** Example indices per client; every client gets at least one example (the draw is repeated until it does). */
    public static int[][] split(int[] labels, int clients, double alpha, long seed) {
        if (clients < 1) throw new IllegalArgumentException("clients must be at least 1, got " + clients);
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("Dirichlet alpha must be positive and finite, got " + alpha);
        if (labels.length < clients) throw new IllegalArgumentException(labels.length + " examples cannot give each of " + clients + " clients one");
        int classes = 0;
        for (int y : labels) {
            if (y < 0) throw new IllegalArgumentException("negative label " + y);
            classes = Math.max(classes, y + 1);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < classes; k++) byClass.add(new ArrayList<>());
        for (int i = 0; i < labels.length; i++) byClass.get(labels[i]).add(i);

        Rng rng = new Rng(seed);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<List<Integer>> parts = new ArrayList<>();
            for (int c = 0; c < clients; c++) parts.add(new ArrayList<>());
            for (List<Integer> members : byClass) {
                int[] order = rng.permutation(members.size());
                double[] share = dirichlet(rng, clients, alpha);
                int start = 0;
                double cumulative = 0;
                for (int c = 0; c < clients; c++) {
                    cumulative += share[c];
                    int end = c == clients - 1 ? members.size() : (int) Math.round(cumulative * members.size());
                    for (int i = start; i < end; i++) parts.get(c).add(members.get(order[i]));
                    start = Math.max(start, end);
                }
            }
            if (parts.stream().noneMatch(List::isEmpty)) {
                int[][] out = new int[clients][];
                for (int c = 0; c < clients; c++) out[c] = parts.get(c).stream().mapToInt(Integer::intValue).sorted().toArray();
                return out;
            }
        }
        throw new IllegalArgumentException("Dirichlet alpha " + alpha + " left a client without examples in " + ATTEMPTS
                + " draws; use a larger alpha or fewer clients");
    }

    static double[] dirichlet(Rng rng, int n, double alpha) {
        double[] g = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += g[i] = gamma(rng, alpha);
        for (int i = 0; i < n; i++) g[i] /= sum;
        return g;
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 are boosted by U^(1/shape). */
    static double gamma(Rng rng, double shape) {
        if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.nextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian(), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
        }
    }
}
