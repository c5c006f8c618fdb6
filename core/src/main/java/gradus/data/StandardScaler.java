package gradus.data;

import gradus.tensor.Tensor;

import java.util.Map;

/**
 * Standardises each feature to zero mean and unit variance: {@code (x - mean) / std}, with the
 * population standard deviation of the training rows. Constant features are only centred.
 */
public final class StandardScaler extends AffineScaler {
    static final String TYPE = "standard";

    @Override
    public StandardScaler fit(Tensor x) {
        int f = features(x, false);
        int n = x.size(0);
        if (n == 0) throw new IllegalArgumentException("cannot fit a scaler on 0 examples");
        float[] in = x.contiguousData();
        double[] sum = new double[f];
        for (int r = 0; r < in.length; r += f) for (int j = 0; j < f; j++) sum[j] += in[r + j];
        double[] mean = new double[f];
        for (int j = 0; j < f; j++) mean[j] = sum[j] / n;
        // Two passes (mean, then squared deviations): numerically safer than E[x^2] - E[x]^2.
        double[] sq = new double[f];
        for (int r = 0; r < in.length; r += f) {
            for (int j = 0; j < f; j++) {
                double d = in[r + j] - mean[j];
                sq[j] += d * d;
            }
        }
        shift = new float[f];
        scale = new float[f];
        for (int j = 0; j < f; j++) {
            double std = Math.sqrt(sq[j] / n);
            shift[j] = (float) mean[j];
            scale[j] = std > 0 ? (float) (1 / std) : 1f;
        }
        return this;
    }

    /** Per-feature means, shape {@code [F]}. */
    public Tensor mean() {
        requireFitted();
        return Tensor.of(shift.clone());
    }

    /** Per-feature standard deviations used to divide, shape {@code [F]} (1 for constant features). */
    public Tensor std() {
        requireFitted();
        float[] s = new float[scale.length];
        for (int j = 0; j < s.length; j++) s[j] = 1f / scale[j];
        return Tensor.of(s);
    }

    @Override
    public Map<String, Object> state() {
        return Map.of("type", TYPE, "mean", mean(), "std", std());
    }

    static StandardScaler fromState(Map<String, Object> state) {
        float[] mean = floats(state, "mean"), std = floats(state, "std");
        if (mean.length != std.length) throw new IllegalArgumentException("scaler state: mean has " + mean.length + " features, std " + std.length);
        StandardScaler s = new StandardScaler();
        s.shift = mean;
        s.scale = new float[std.length];
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0)) throw new IllegalArgumentException("scaler state: std[" + j + "] = " + std[j] + " is not positive");
            s.scale[j] = 1f / std[j];
        }
        return s;
    }
}
