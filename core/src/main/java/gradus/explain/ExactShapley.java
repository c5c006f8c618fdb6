package gradus.explain;

/**
 * Exact Shapley values by enumerating all 2^M coalitions: φ_i = Σ_{S ∌ i} |S|! (M − |S| − 1)! / M! · (v(S ∪ {i}) − v(S)).
 * For up to {@value #MAX_FEATURES} features (4,096 coalitions, scored as one call to the game).
 */
public final class ExactShapley {
    public static final int MAX_FEATURES = 12;

    private ExactShapley() {}

    public static ShapleyValues of(CoalitionGame game, int features) {
        if (features < 1 || features > MAX_FEATURES) {
            throw new IllegalArgumentException("exact Shapley values enumerate 2^M coalitions and take 1.." + MAX_FEATURES
                    + " features, got " + features + "; use KernelSHAP for more");
        }
        int count = 1 << features;
        boolean[][] coalitions = new boolean[count][];
        for (int s = 0; s < count; s++) coalitions[s] = mask(s, features);
        double[] v = game.values(coalitions);
        double[] weight = new double[features]; // by coalition size |S| = 0..M−1
        for (int s = 0; s < features; s++) weight[s] = 1.0 / (features * binomial(features - 1, s));
        double[] phi = new double[features];
        for (int s = 0; s < count; s++) {
            int size = Integer.bitCount(s);
            for (int i = 0; i < features; i++) {
                if ((s & (1 << i)) == 0) phi[i] += weight[size] * (v[s | (1 << i)] - v[s]);
            }
        }
        return new ShapleyValues(phi, v[0], v[count - 1]);
    }

    static boolean[] mask(int bits, int features) {
        boolean[] m = new boolean[features];
        for (int j = 0; j < features; j++) m[j] = (bits & (1 << j)) != 0;
        return m;
    }

    static double binomial(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }
}
