package gradus.privacy;

/** A privacy random variable discretized on a grid: its probability mass at each grid point. */
record DiscretePrv(double[] pmf, PrvDomain domain) {
    DiscretePrv {
        if (pmf.length != domain.size()) throw new IllegalArgumentException("pmf and domain differ in length");
    }

    /**
     * Discretizes {@code prv} on {@code domain}: each point gets the mass of the cell around it, and the grid is
     * shifted so the discrete mean equals the continuous one (which keeps the composed mean exact).
     */
    static DiscretePrv of(SubsampledGaussianPrv prv, PrvDomain domain) {
        double[] t = domain.points(), pmf = new double[t.length];
        double half = domain.dt() / 2, meanDiscrete = 0;
        for (int i = 0; i < t.length; i++) {
            pmf[i] = prv.cdf(t[i] + half) - prv.cdf(t[i] - half);
            meanDiscrete += t[i] * pmf[i];
        }
        double shift = prv.mean() - meanDiscrete;
        if (Math.abs(shift) >= half) throw new IllegalStateException("the discrete PRV's mean is " + shift + " off the continuous one (more than half a grid step)");
        return new DiscretePrv(pmf, domain.shiftRight(shift));
    }

    /** The sum of {@code n} independent copies: the pmf's n-th convolution power, as a circular convolution by real FFT (as Opacus's rfft). */
    DiscretePrv composeSelf(long n) {
        int size = pmf.length;
        double[][] spectrum = Fft.realForward(pmf);
        double[] re = spectrum[0], im = spectrum[1];
        for (int k = 0; k < re.length; k++) { // z^n = exp(n·log z)
            double logR = Math.log(Math.hypot(re[k], im[k])), theta = Math.atan2(im[k], re[k]);
            double r = Math.exp(n * logR), angle = n * theta;
            re[k] = r * Math.cos(angle);
            im[k] = r * Math.sin(angle);
        }
        double[] summed = Fft.realInverse(re, im, size);
        long roll = n - 1 + (n % 2 == 0 ? size / 2 : 0); // recentres the sum on the grid (numpy's roll)
        int shift = (int) (roll % size);
        double[] composed = new double[size];
        for (int i = 0; i < size; i++) composed[(i + shift) % size] = summed[i];
        return new DiscretePrv(composed, domain.shiftRight(domain.shifts() * (n - 1)));
    }

    /** The sum with an independent {@code other} on the same grid: their convolution, cut to this grid's length around its centre. */
    DiscretePrv compose(DiscretePrv other) {
        int n1 = pmf.length, n2 = other.pmf.length, full = n1 + n2 - 1;
        int m = Integer.highestOneBit(full - 1) << 1;
        double[] ar = java.util.Arrays.copyOf(pmf, m), ai = new double[m], br = java.util.Arrays.copyOf(other.pmf, m), bi = new double[m];
        Fft.forward(ar, ai);
        Fft.forward(br, bi);
        for (int k = 0; k < m; k++) {
            double r = ar[k] * br[k] - ai[k] * bi[k];
            ai[k] = ar[k] * bi[k] + ai[k] * br[k];
            ar[k] = r;
        }
        Fft.inverse(ar, ai);
        int start = (full - n1) / 2; // scipy's convolve(mode="same")
        return new DiscretePrv(java.util.Arrays.copyOfRange(ar, start, start + n1), domain.shiftRight(other.domain.shifts()));
    }

    /**
     * An upper bound on ε for {@code delta}: the ε whose δ(ε) = Σ_{t ≥ ε} p(t)·(1 − e^(ε−t)) is δ − δ_error on the
     * grid, plus ε_error (Gopi et al. 2021, theorem 5.5 with the error bounds the domain was sized for).
     */
    double epsilonUpperBound(double delta, double deltaError, double epsError) {
        if (Math.ulp(1.0) * domain.size() > delta - deltaError) {
            throw new IllegalArgumentException("delta " + delta + " is too small for this grid: rounding errors would dominate");
        }
        int n = pmf.length;
        double[] t = domain.points(), tail = new double[n], tailWeighted = new double[n];
        double s1 = 0, s2 = 0;
        for (int i = n - 1; i >= 0; i--) {
            s1 += pmf[i];
            s2 += pmf[i] * Math.exp(-t[i]);
            tail[i] = s1;
            tailWeighted[i] = s2;
        }
        double target = delta - deltaError;
        // first i with e^t·Σ_{j≥i} p·e^(−t) − Σ_{j≥i} p ≥ −target, by numpy searchsorted's binary search
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = lo + ((hi - lo) >> 1);
            if (Math.exp(t[mid]) * tailWeighted[mid] - tail[mid] < -target) lo = mid + 1;
            else hi = mid;
        }
        if (lo <= 0) throw new IllegalStateException("cannot compute epsilon: delta " + delta + " lies outside the PRV grid");
        if (lo >= n) throw new IllegalStateException("cannot compute epsilon: delta " + delta + " is below what the PRV grid resolves");
        return Math.log((tail[lo] - target) / tailWeighted[lo]) + epsError;
    }
}
