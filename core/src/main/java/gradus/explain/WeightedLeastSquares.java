package gradus.explain;

/** Weighted ridge regression in double precision: the surrogate models of LIME and KernelSHAP. */
final class WeightedLeastSquares {
    private WeightedLeastSquares() {}

    /** y ≈ intercept + X·coefficients; r2 is the weighted coefficient of determination on the fitted points. */
    record Fit(double[] coefficients, double intercept, double r2) {}

    /**
     * Minimizes Σ w_k (y_k − b − x_k·β)² + λ‖β‖² (the intercept b unpenalized, as scikit-learn's Ridge with
     * sample weights, which LIME uses); {@code intercept} false fixes b = 0.
     */
    static Fit fit(double[][] x, double[] y, double[] w, double lambda, boolean intercept) {
        int k = x.length, m = k == 0 ? 0 : x[0].length;
        double wSum = 0, yMean = 0;
        double[] xMean = new double[m];
        if (intercept) {
            for (int i = 0; i < k; i++) {
                wSum += w[i];
                yMean += w[i] * y[i];
                for (int j = 0; j < m; j++) xMean[j] += w[i] * x[i][j];
            }
            yMean /= wSum;
            for (int j = 0; j < m; j++) xMean[j] /= wSum;
        }
        double[][] a = new double[m][m];
        double[] b = new double[m];
        for (int i = 0; i < k; i++) {
            for (int p = 0; p < m; p++) {
                double xp = x[i][p] - xMean[p];
                b[p] += w[i] * xp * (y[i] - yMean);
                for (int q = p; q < m; q++) a[p][q] += w[i] * xp * (x[i][q] - xMean[q]);
            }
        }
        for (int p = 0; p < m; p++) {
            a[p][p] += lambda;
            for (int q = 0; q < p; q++) a[p][q] = a[q][p];
        }
        double[] beta = solve(a, b);
        double b0 = yMean;
        for (int j = 0; j < m; j++) b0 -= xMean[j] * beta[j];
        return new Fit(beta, b0, r2(x, y, w, beta, b0));
    }

    private static double r2(double[][] x, double[] y, double[] w, double[] beta, double b0) {
        double wSum = 0, mean = 0;
        for (int i = 0; i < y.length; i++) {
            wSum += w[i];
            mean += w[i] * y[i];
        }
        mean /= wSum;
        double res = 0, tot = 0;
        for (int i = 0; i < y.length; i++) {
            double pred = b0;
            for (int j = 0; j < beta.length; j++) pred += x[i][j] * beta[j];
            res += w[i] * (y[i] - pred) * (y[i] - pred);
            tot += w[i] * (y[i] - mean) * (y[i] - mean);
        }
        return tot == 0 ? (res == 0 ? 1 : 0) : 1 - res / tot;
    }

    /** Gaussian elimination with partial pivoting; a singular direction gets coefficient 0. */
    static double[] solve(double[][] a0, double[] b0) {
        int n = b0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = a0[i].clone();
        double[] b = b0.clone();
        double scale = 0;
        for (double[] row : a) for (double v : row) scale = Math.max(scale, Math.abs(v));
        boolean[] singular = new boolean[n];
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
            if (Math.abs(a[p][c]) <= 1e-12 * Math.max(scale, 1e-300)) {
                singular[c] = true;
                continue;
            }
            double[] t = a[p]; a[p] = a[c]; a[c] = t;
            double tb = b[p]; b[p] = b[c]; b[c] = tb;
            for (int r = 0; r < n; r++) {
                if (r == c || a[r][c] == 0) continue;
                double f = a[r][c] / a[c][c];
                for (int j = c; j < n; j++) a[r][j] -= f * a[c][j];
                b[r] -= f * b[c];
            }
        }
        double[] x = new double[n];
        for (int c = 0; c < n; c++) x[c] = singular[c] ? 0 : b[c] / a[c][c];
        return x;
    }
}
