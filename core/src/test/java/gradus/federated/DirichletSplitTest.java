package gradus.federated;

import gradus.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirichletSplitTest {
    private static int[] labels(int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % classes;
        return y;
    }

    @Test
    void everyExampleGoesToExactlyOneClientAndTheSeedFixesTheSplit() {
        int[] y = labels(5000, 10);
        int[][] parts = DirichletSplit.split(y, 10, 0.5, 7);
        int[] all = Arrays.stream(parts).flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(java.util.stream.IntStream.range(0, 5000).toArray(), all);
        assertTrue(Arrays.stream(parts).allMatch(p -> p.length > 0));
        assertArrayEquals(parts[3], DirichletSplit.split(y, 10, 0.5, 7)[3]);
        assertTrue(!Arrays.equals(parts[3], DirichletSplit.split(y, 10, 0.5, 8)[3]));
    }

    @Test
    void smallAlphaConcentratesClassesLargeAlphaSpreadsThem() {
        int[] y = labels(20000, 10);
        double skewed = meanDominantShare(DirichletSplit.split(y, 10, 0.1, 1), y);
        double mild = meanDominantShare(DirichletSplit.split(y, 10, 0.5, 1), y);
        double iid = meanDominantShare(DirichletSplit.split(y, 10, 1000, 1), y);
        // the largest class's share of a client's data: 1 for one class per client, 0.1 for IID
        assertTrue(skewed > mild && mild > iid, skewed + " " + mild + " " + iid);
        assertTrue(iid < 0.13, "alpha 1000 should be nearly IID: " + iid);
        assertTrue(skewed > 0.5, "alpha 0.1 should leave one class dominating: " + skewed);
    }

    @Test
    void gammaSamplerHasTheRightMeanAndVariance() {
        // Gamma(k, 1): mean k, variance k — both the boosted (k < 1) and the Marsaglia–Tsang path
        for (double k : new double[]{0.5, 3}) {
            Rng rng = new Rng(3);
            int n = 200_000;
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) {
                double g = DirichletSplit.gamma(rng, k);
                s += g;
                s2 += g * g;
            }
            double mean = s / n, var = s2 / n - mean * mean;
            assertEquals(k, mean, 0.02 * k + 0.01, "mean of Gamma(" + k + ")");
            assertEquals(k, var, 0.05 * k + 0.01, "variance of Gamma(" + k + ")");
        }
    }

    private static double meanDominantShare(int[][] parts, int[] y) {
        double total = 0;
        for (int[] p : parts) {
            int[] counts = new int[10];
            for (int i : p) counts[y[i]]++;
            total += (double) Arrays.stream(counts).max().orElseThrow() / p.length;
        }
        return total / parts.length;
    }
}
