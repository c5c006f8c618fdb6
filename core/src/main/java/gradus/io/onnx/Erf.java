package gradus.io.onnx;

import gradus.kernels.Parallel;
import gradus.tensor.Tensor;

/** The error function, elementwise, with its gradient 2/√π·e^(−x²). */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    private Erf() {}

    static Tensor apply(Tensor x) {
        float[] v = x.contiguousData();
        float[] out = new float[v.length];
        Parallel.forRange(v.length, 4096, (from, to) -> {
            for (int i = from; i < to; i++) out[i] = (float) erf(v[i]);
        });
        return Tensor.record(Tensor.of(out, x.shape()), "erf", g -> {
            float[] d = new float[v.length];
            for (int i = 0; i < v.length; i++) d[i] = (float) (TWO_OVER_SQRT_PI * Math.exp(-(double) v[i] * v[i]));
            return new Tensor[]{g.mul(Tensor.of(d, x.shape()))};
        }, x);
    }

    /**
     * erf(x) within 2e-7: the Maclaurin series near 0 (exact in relative terms, where the
     * values are small) and Abramowitz and Stegun's rational approximation 7.1.26 elsewhere.
     */
    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 0.5) {
            // 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)); ten terms reach 1e-16 for |x| < 0.5.
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 10; n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else if (a > 6) {
            r = 1;
        } else {
            double t = 1 / (1 + 0.3275911 * a);
            double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
            r = 1 - poly * Math.exp(-a * a);
        }
        return x < 0 ? -r : r;
    }
}
