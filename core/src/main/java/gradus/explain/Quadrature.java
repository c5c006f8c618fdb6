package gradus.explain;

import java.util.Locale;

/**
 * Rules for the path integral of Integrated Gradients over α ∈ [0, 1]: the points α_k and weights w_k with
 * ∫₀¹ g(α) dα ≈ Σ w_k g(α_k). Riemann sums (left, right, middle, trapezoid) and Gauss–Legendre, which is exact
 * for polynomials of degree 2n − 1 and so converges far faster on smooth models.
 */
public enum Quadrature {
    RIEMANN_LEFT, RIEMANN_RIGHT, RIEMANN_MIDDLE, RIEMANN_TRAPEZOID, GAUSS_LEGENDRE;

    /** The points and weights of an n-point rule. */
    public record Nodes(double[] alphas, double[] weights) {}

    /** Parses "left", "riemann_left", "gausslegendre", "gauss-legendre", … (case-insensitive). */
    public static Quadrature parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace("riemann", "");
        return switch (n) {
            case "left" -> RIEMANN_LEFT;
            case "right" -> RIEMANN_RIGHT;
            case "middle", "midpoint" -> RIEMANN_MIDDLE;
            case "trapezoid" -> RIEMANN_TRAPEZOID;
            case "gausslegendre", "gauss", "gl" -> GAUSS_LEGENDRE;
            default -> throw new IllegalArgumentException("unknown integration rule '" + name
                    + "'; use left, right, middle, trapezoid or gausslegendre");
        };
    }

    public Nodes nodes(int n) {
        if (n < 1 || (this == RIEMANN_TRAPEZOID && n < 2)) {
            throw new IllegalArgumentException(this + " needs at least " + (this == RIEMANN_TRAPEZOID ? 2 : 1) + " steps, got " + n);
        }
        double[] a = new double[n], w = new double[n];
        switch (this) {
            case RIEMANN_LEFT, RIEMANN_RIGHT, RIEMANN_MIDDLE -> {
                double shift = this == RIEMANN_LEFT ? 0 : this == RIEMANN_RIGHT ? 1 : 0.5;
                for (int k = 0; k < n; k++) {
                    a[k] = (k + shift) / n;
                    w[k] = 1.0 / n;
                }
            }
            case RIEMANN_TRAPEZOID -> {
                for (int k = 0; k < n; k++) {
                    a[k] = (double) k / (n - 1);
                    w[k] = (k == 0 || k == n - 1 ? 0.5 : 1.0) / (n - 1);
                }
            }
            case GAUSS_LEGENDRE -> gaussLegendre(n, a, w);
        }
        return new Nodes(a, w);
    }

    /** Roots of the Legendre polynomial P_n by Newton's method, mapped from [−1, 1] to [0, 1]. */
    private static void gaussLegendre(int n, double[] a, double[] w) {
        for (int i = 0; i < (n + 1) / 2; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5)), dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1, p1 = x; // P_0, P_1, then the three-term recurrence up to P_n
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n * (x * p1 - p0) / (x * x - 1);
                double dx = p1 / dp;
                x -= dx;
                if (Math.abs(dx) < 1e-15) break;
            }
            double weight = 2 / ((1 - x * x) * dp * dp);
            // x is the i-th largest root; its mirror −x the i-th smallest
            a[i] = (1 - x) / 2;
            a[n - 1 - i] = (1 + x) / 2;
            w[i] = weight / 2;
            w[n - 1 - i] = weight / 2;
        }
    }
}
