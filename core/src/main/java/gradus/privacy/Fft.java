package gradus.privacy;

/**
 * The discrete Fourier transform of any length, in place on split real and imaginary arrays: iterative radix-2
 * for powers of two, Bluestein's chirp-z algorithm (a convolution of power-of-two length) otherwise. The PRV
 * accountant composes on grids of a few hundred thousand points whose length is rarely a power of two.
 */
final class Fft {
    private Fft() {}

    /** X[k] = Σ x[n]·e^(−2πi·nk/N), in place. */
    static void forward(double[] re, double[] im) {
        int n = re.length;
        if (im.length != n) throw new IllegalArgumentException("real and imaginary parts differ in length");
        if (n <= 1) return;
        if (Integer.bitCount(n) == 1) radix2(re, im);
        else bluestein(re, im);
    }

    /** x[n] = (1/N)·Σ X[k]·e^(2πi·nk/N), in place. */
    static void inverse(double[] re, double[] im) {
        int n = re.length;
        for (int i = 0; i < n; i++) im[i] = -im[i];
        forward(re, im);
        for (int i = 0; i < n; i++) {
            re[i] /= n;
            im[i] = -im[i] / n;
        }
    }

    /**
     * The first N/2 + 1 bins {re, im} of the transform of real {@code x} of even length N (the rest mirror them as
     * complex conjugates), from one complex transform of length N/2 over the even and odd samples packed as re + i·im.
     */
    static double[][] realForward(double[] x) {
        int n = x.length, h = n / 2;
        if (n % 2 != 0) throw new IllegalArgumentException("real transforms here need an even length, got " + n);
        double[] zr = new double[h], zi = new double[h];
        for (int j = 0; j < h; j++) {
            zr[j] = x[2 * j];
            zi[j] = x[2 * j + 1];
        }
        forward(zr, zi);
        double[] re = new double[h + 1], im = new double[h + 1];
        for (int k = 0; k <= h; k++) {
            int a = k % h, b = (h - k) % h;
            double er = (zr[a] + zr[b]) / 2, ei = (zi[a] - zi[b]) / 2; // even samples' transform: (Z[k] + conj Z[−k])/2
            double or = (zi[a] + zi[b]) / 2, oi = (zr[b] - zr[a]) / 2; // odd samples': (Z[k] − conj Z[−k])/(2i)
            double angle = -2 * Math.PI * k / n, wr = Math.cos(angle), wi = Math.sin(angle);
            re[k] = er + wr * or - wi * oi;
            im[k] = ei + wr * oi + wi * or;
        }
        return new double[][]{re, im};
    }

    /** The real sequence of even length {@code n} whose transform has the first bins {@code re}, {@code im} (as {@link #realForward} gives). */
    static double[] realInverse(double[] re, double[] im, int n) {
        int h = n / 2;
        double[] zr = new double[h], zi = new double[h];
        for (int k = 0; k < h; k++) {
            double cr = re[h - k], ci = -im[h - k]; // conj X[N/2 − k] = X[k + N/2]
            double er = (re[k] + cr) / 2, ei = (im[k] + ci) / 2;
            double dr = (re[k] - cr) / 2, di = (im[k] - ci) / 2;
            double angle = 2 * Math.PI * k / n, wr = Math.cos(angle), wi = Math.sin(angle); // ÷ e^(−2πik/N)
            double or = dr * wr - di * wi, oi = dr * wi + di * wr;
            zr[k] = er - oi; // Z = E + i·O
            zi[k] = ei + or;
        }
        inverse(zr, zi);
        double[] x = new double[n];
        for (int j = 0; j < h; j++) {
            x[2 * j] = zr[j];
            x[2 * j + 1] = zi[j];
        }
        return x;
    }

    private static void radix2(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) { // bit-reversal permutation
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        // one table of e^(−2πi·k/n), k < n/2, from cos/sin of each index (a running product would drift); stage len strides it by n/len
        int halfN = n >> 1;
        double[] wr = new double[halfN], wi = new double[halfN];
        for (int k = 0; k < halfN; k++) {
            double angle = -2 * Math.PI * k / n;
            wr[k] = Math.cos(angle);
            wi[k] = Math.sin(angle);
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1, stride = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    int a = start + k, b = a + half;
                    double cr = wr[k * stride], ci = wi[k * stride];
                    double tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    /** nk = (n² + k² − (k−n)²)/2 turns the transform into a convolution with the chirp e^(πi·m²/N). */
    private static void bluestein(double[] re, double[] im) {
        int n = re.length;
        int m = Integer.highestOneBit(2 * n - 1) << 1;
        double[] cr = new double[n], ci = new double[n]; // chirp e^(−πi·k²/N); k² taken mod 2N so the angle stays small
        for (int k = 0; k < n; k++) {
            double angle = Math.PI * ((long) k * k % (2L * n)) / n;
            cr[k] = Math.cos(angle);
            ci[k] = -Math.sin(angle);
        }
        double[] ar = new double[m], ai = new double[m], br = new double[m], bi = new double[m];
        for (int k = 0; k < n; k++) {
            ar[k] = re[k] * cr[k] - im[k] * ci[k];
            ai[k] = re[k] * ci[k] + im[k] * cr[k];
        }
        br[0] = cr[0];
        bi[0] = -ci[0];
        for (int k = 1; k < n; k++) {
            br[k] = br[m - k] = cr[k];
            bi[k] = bi[m - k] = -ci[k];
        }
        radix2(ar, ai);
        radix2(br, bi);
        for (int k = 0; k < m; k++) {
            double r = ar[k] * br[k] - ai[k] * bi[k];
            ai[k] = ar[k] * bi[k] + ai[k] * br[k];
            ar[k] = r;
        }
        inverse(ar, ai);
        for (int k = 0; k < n; k++) {
            re[k] = ar[k] * cr[k] - ai[k] * ci[k];
            im[k] = ar[k] * ci[k] + ai[k] * cr[k];
        }
    }
}
