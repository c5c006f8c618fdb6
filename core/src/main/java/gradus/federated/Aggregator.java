package gradus.federated;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns the round's client updates into one update. FedAvg weighs by example count; the robust rules (median,
 * trimmed mean, Krum) count every client once, so a client cannot buy influence by claiming many examples.
 */
public interface Aggregator {
    float[] aggregate(List<ClientUpdate> updates);

    String name();

    /** {@code fedavg}, {@code median}, {@code trimmed_mean} (trims {@code beta} of each tail), {@code krum} (tolerates {@code f} attackers). */
    static Aggregator named(String name, double beta, int f) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fedavg", "mean" -> fedAvg();
            case "median" -> median();
            case "trimmed_mean" -> trimmedMean(beta);
            case "krum" -> krum(f);
            default -> throw new IllegalArgumentException("unknown aggregator '" + name + "'; known: fedavg, median, trimmed_mean, krum");
        };
    }

    /** The mean weighted by each client's example count (McMahan et al. 2017). */
    static Aggregator fedAvg() {
        return new Aggregator() {
            public float[] aggregate(List<ClientUpdate> updates) {
                int d = dimension(updates);
                long total = 0;
                for (ClientUpdate u : updates) total += u.examples();
                if (total == 0) throw new IllegalArgumentException("no client trained on any example");
                double[] sum = new double[d];
                for (ClientUpdate u : updates) {
                    double w = (double) u.examples() / total;
                    for (int i = 0; i < d; i++) sum[i] += w * u.delta()[i];
                }
                return toFloats(sum);
            }

            public String name() {
                return "fedavg";
            }
        };
    }

    /** The coordinate-wise median (Yin et al. 2018). */
    static Aggregator median() {
        return new Aggregator() {
            public float[] aggregate(List<ClientUpdate> updates) {
                return coordinateWise(updates, column -> {
                    int n = column.length;
                    return n % 2 == 1 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2;
                });
            }

            public String name() {
                return "median";
            }
        };
    }

    /** The coordinate-wise mean after dropping the ⌊βn⌋ smallest and largest values (Yin et al. 2018). */
    static Aggregator trimmedMean(double beta) {
        if (!(beta >= 0 && beta < 0.5)) throw new IllegalArgumentException("trimmed mean: beta must be in [0, 0.5), got " + beta);
        return new Aggregator() {
            public float[] aggregate(List<ClientUpdate> updates) {
                int k = (int) Math.floor(beta * updates.size());
                return coordinateWise(updates, column -> {
                    double s = 0;
                    for (int i = k; i < column.length - k; i++) s += column[i];
                    return s / (column.length - 2 * k);
                });
            }

            public String name() {
                return "trimmed_mean";
            }
        };
    }

    /**
     * Krum (Blanchard et al. 2017): the one update whose n − f − 2 nearest neighbours are closest (sum of
     * squared distances); needs n > 2f + 2 updates.
     */
    static Aggregator krum(int f) {
        if (f < 0) throw new IllegalArgumentException("krum: f must be at least 0, got " + f);
        return new Aggregator() {
            public float[] aggregate(List<ClientUpdate> updates) {
                int n = updates.size();
                dimension(updates);
                if (n <= 2 * f + 2) throw new IllegalArgumentException("krum with f = " + f + " needs more than " + (2 * f + 2) + " updates, got " + n);
                double[][] dist = new double[n][n];
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        float[] a = updates.get(i).delta(), b = updates.get(j).delta();
                        double s = 0;
                        for (int k = 0; k < a.length; k++) s += (double) (a[k] - b[k]) * (a[k] - b[k]);
                        dist[i][j] = dist[j][i] = s;
                    }
                }
                int best = -1;
                double bestScore = Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double[] row = dist[i].clone();
                    Arrays.sort(row); // row[0] is the distance to itself
                    double score = 0;
                    for (int k = 1; k <= n - f - 2; k++) score += row[k];
                    if (score < bestScore) {
                        bestScore = score;
                        best = i;
                    }
                }
                return updates.get(best).delta().clone();
            }

            public String name() {
                return "krum";
            }
        };
    }

    private static int dimension(List<ClientUpdate> updates) {
        if (updates.isEmpty()) throw new IllegalArgumentException("no client updates to aggregate");
        int d = updates.get(0).delta().length;
        for (ClientUpdate u : updates) {
            if (u.delta().length != d) {
                throw new IllegalArgumentException("update of client " + u.client() + " has " + u.delta().length + " values, others " + d);
            }
        }
        return d;
    }

    private static float[] coordinateWise(List<ClientUpdate> updates, java.util.function.ToDoubleFunction<double[]> ofSorted) {
        int d = dimension(updates);
        float[] out = new float[d];
        double[] column = new double[updates.size()];
        for (int i = 0; i < d; i++) {
            for (int c = 0; c < column.length; c++) column[c] = updates.get(c).delta()[i];
            Arrays.sort(column);
            out[i] = (float) ofSorted.applyAsDouble(column);
        }
        return out;
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }
}
