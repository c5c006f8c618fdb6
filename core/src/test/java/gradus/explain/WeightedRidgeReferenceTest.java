package gradus.explain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * LIME's and KernelSHAP's surrogate, the weighted ridge fit, against NumPy (tools/reference/weighted_ridge_reference.py:
 * one augmented least-squares problem through numpy.linalg.lstsq, where the Java code centres and solves the normal
 * equations). The data are the script's formula.
 */
class WeightedRidgeReferenceTest {

    @Test
    void equalsNumpysAugmentedLeastSquares() {
        int n = 40, m = 5;
        double lambda = 0.75;
        double[] truth = {1, -2, 0.5, 0, 3};
        double[][] x = new double[n][m];
        double[] y = new double[n], w = new double[n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < m; j++) {
                x[k][j] = Math.sin(1.3 * k + 0.7 * j + 0.1 * j * j);
                y[k] += x[k][j] * truth[j];
            }
            y[k] += 0.3 * Math.cos(0.9 * k) + 0.5 * k / n;
            w[k] = Math.exp(-Math.pow((k % 7) / 3.0, 2));
        }
        var fit = WeightedLeastSquares.fit(x, y, w, lambda, true);
        assertArrayEquals(new double[]{-0.27672146612272663, -1.2630174699962857, -1.3900118768734906, 0.06341519260990508, 1.5047410228242069},
                fit.coefficients(), 1e-9);
        assertEquals(0.3159024394020723, fit.intercept(), 1e-9);
        assertEquals(0.9916152592706569, fit.r2(), 1e-9);
    }
}
