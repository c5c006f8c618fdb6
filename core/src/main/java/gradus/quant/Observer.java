package gradus.quant;

import java.util.Arrays;
import java.util.Locale;

/**
 * Watches the values an activation takes on calibration data and then picks its int8 {@link QParams}: the
 * range from the extremes ({@link #minMax()}), from percentiles that ignore rare outliers ({@link #percentile}),
 * or the clipping range whose round trip loses the least squared error ({@link #mse()}).
 */
public abstract class Observer {
    /** Records {@code n} values of {@code v} from {@code off}. */
    public abstract void observe(float[] v, int off, int n);

    /** The quantization parameters for everything observed so far. */
    public abstract QParams qparams();

    /** The observer kind named {@code id}: minmax, percentile (99.99%), mse. */
    public static Observer of(String id) {
        return switch (id.toLowerCase(Locale.ROOT).trim()) {
            case "minmax" -> minMax();
            case "percentile" -> percentile(99.99);
            case "mse" -> mse();
            default -> throw new IllegalArgumentException("unknown observer '" + id + "'; expected minmax, percentile or mse");
        };
    }

    /** The running minimum and maximum (torch.ao's MinMaxObserver). */
    public static Observer minMax() {
        return new Observer() {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;

            @Override
            public void observe(float[] v, int off, int n) {
                for (int i = off; i < off + n; i++) {
                    lo = Math.min(lo, v[i]);
                    hi = Math.max(hi, v[i]);
                }
            }

            @Override
            public QParams qparams() {
                return QParams.ofRange(lo, hi);
            }
        };
    }

    /** The range between the (100 − p)th and the pth percentile, p in (50, 100] (linear interpolation, as numpy.percentile). */
    public static Observer percentile(double p) {
        if (!(p > 50 && p <= 100)) throw new IllegalArgumentException("a percentile observer takes p in (50, 100], got " + p);
        return new Stored() {
            @Override
            QParams pick(float[] sorted) {
                return QParams.ofRange(quantile(sorted, (100 - p) / 100), quantile(sorted, p / 100));
            }
        };
    }

    /**
     * The range [a·min, a·max] whose quantize-dequantize round trip has the least squared error over the observed
     * values, a searched in steps of 0.01 over (0, 1], then of 0.0005 around the best: clips outliers only when
     * that costs less than the coarser steps a wider range takes.
     */
    public static Observer mse() {
        return new Stored() {
            @Override
            QParams pick(float[] sorted) {
                float lo = sorted[0], hi = sorted[sorted.length - 1];
                double coarse = best(sorted, lo, hi, 0.01, 0.01, 1.0);
                double a = best(sorted, lo, hi, 0.0005, coarse - 0.01, Math.min(1.0, coarse + 0.01));
                return QParams.ofRange((float) (a * lo), (float) (a * hi));
            }

            /** The a in [from, to] (in {@code step}s down from {@code to}) with the least error. */
            double best(float[] v, float lo, float hi, double step, double from, double to) {
                double bestA = to, bestError = Double.POSITIVE_INFINITY;
                for (double a = to; a >= from - 1e-12 && a > 0; a -= step) {
                    double e = squaredError(v, QParams.ofRange((float) (a * lo), (float) (a * hi)));
                    if (e < bestError) {
                        bestError = e;
                        bestA = a;
                    }
                }
                return bestA;
            }
        };
    }

    /** Σ (x − roundTrip(x))² over {@code v}. */
    public static double squaredError(float[] v, QParams q) {
        double s = 0;
        for (float x : v) {
            double d = x - q.roundTrip(x);
            s += d * d;
        }
        return s;
    }

    /** Keeps every observed value (calibration samples are small); picks the range once, from the sorted values. */
    private abstract static class Stored extends Observer {
        private float[] values = new float[1024];
        private int size;

        @Override
        public void observe(float[] v, int off, int n) {
            if (size + n > values.length) values = Arrays.copyOf(values, Math.max(size + n, 2 * values.length));
            System.arraycopy(v, off, values, size, n);
            size += n;
        }

        @Override
        public QParams qparams() {
            if (size == 0) throw new IllegalStateException("nothing was observed: calibrate on some data first");
            float[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return pick(sorted);
        }

        abstract QParams pick(float[] sorted);

        static float quantile(float[] sorted, double q) {
            double at = q * (sorted.length - 1);
            int i = (int) Math.floor(at);
            if (i >= sorted.length - 1) return sorted[sorted.length - 1];
            return (float) (sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]));
        }
    }
}
