package gradus.privacy;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every length against the O(n²) definition, and the round trip. */
class FftTest {
    @Test
    void matchesTheDefinitionForPowersOfTwoAndOtherLengths() {
        for (int n : new int[]{1, 2, 8, 64, 6, 10, 97, 300}) {
            Random rnd = new Random(n);
            double[] re = new double[n], im = new double[n];
            for (int i = 0; i < n; i++) { re[i] = rnd.nextGaussian(); im[i] = rnd.nextGaussian(); }
            double[] fr = re.clone(), fi = im.clone();
            Fft.forward(fr, fi);
            for (int k = 0; k < n; k++) {
                double sr = 0, si = 0;
                for (int j = 0; j < n; j++) {
                    double a = -2 * Math.PI * ((long) j * k % n) / n;
                    sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
                    si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
                }
                assertEquals(sr, fr[k], 1e-10, "n " + n + " k " + k);
                assertEquals(si, fi[k], 1e-10, "n " + n + " k " + k);
            }
            Fft.inverse(fr, fi);
            for (int i = 0; i < n; i++) {
                assertEquals(re[i], fr[i], 1e-12);
                assertEquals(im[i], fi[i], 1e-12);
            }
        }
    }

    @Test
    void realTransformsAreTheFirstHalfOfTheComplexOne() {
        for (int n : new int[]{2, 4, 16, 6, 10, 98, 300}) {
            Random rnd = new Random(n);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = rnd.nextGaussian();
            double[] re = x.clone(), im = new double[n];
            Fft.forward(re, im);
            double[][] half = Fft.realForward(x);
            assertEquals(n / 2 + 1, half[0].length);
            for (int k = 0; k <= n / 2; k++) {
                assertEquals(re[k], half[0][k], 1e-10, "n " + n + " k " + k);
                assertEquals(im[k], half[1][k], 1e-10, "n " + n + " k " + k);
            }
            double[] back = Fft.realInverse(half[0], half[1], n);
            for (int i = 0; i < n; i++) assertEquals(x[i], back[i], 1e-12, "n " + n + " i " + i);
        }
    }
}
