package gradus.data;

import gradus.tensor.Tensor;

import java.util.Map;

/**
 * Maps each feature's training range {@code [min, max]} linearly onto {@code [lo, hi]} (default
 * {@code [0, 1]}). Constant features are shifted to {@code lo}. Later inputs may fall outside the range.
 */
public final class MinMaxScaler extends AffineScaler {
    static final String TYPE = "minmax";

    private final float lo;
    private final float hi;
    private float[] min;
    private float[] max;

    public MinMaxScaler() {
        this(0f, 1f);
    }

    public MinMaxScaler(float lo, float hi) {
        if (!(lo < hi)) throw new IllegalArgumentException("target range needs lo < hi, got [" + lo + ", " + hi + "]");
        this.lo = lo;
        this.hi = hi;
    }

    @Override
    public MinMaxScaler fit(Tensor x) {
        int f = features(x, false);
        if (x.size(0) == 0) throw new IllegalArgumentException("cannot fit a scaler on 0 examples");
        float[] in = x.contiguousData();
        float[] mn = new float[f], mx = new float[f];
        System.arraycopy(in, 0, mn, 0, f);
        System.arraycopy(in, 0, mx, 0, f);
        for (int r = f; r < in.length; r += f) {
            for (int j = 0; j < f; j++) {
                mn[j] = Math.min(mn[j], in[r + j]);
                mx[j] = Math.max(mx[j], in[r + j]);
            }
        }
        setRange(mn, mx);
        return this;
    }

    // y = lo + (x - min) * (hi - lo) / (max - min)  ==  (x - shift) * scale  with  shift = min - lo / scale.
    private void setRange(float[] mn, float[] mx) {
        min = mn;
        max = mx;
        shift = new float[mn.length];
        scale = new float[mn.length];
        for (int j = 0; j < mn.length; j++) {
            double range = (double) mx[j] - mn[j];
            double s = range > 0 ? (hi - lo) / range : 1.0;
            scale[j] = (float) s;
            shift[j] = (float) (mn[j] - lo / s);
        }
    }

    /** Per-feature training minima, shape {@code [F]}. */
    public Tensor dataMin() {
        requireFitted();
        return Tensor.of(min.clone());
    }

    /** Per-feature training maxima, shape {@code [F]}. */
    public Tensor dataMax() {
        requireFitted();
        return Tensor.of(max.clone());
    }

    @Override
    public Map<String, Object> state() {
        return Map.of("type", TYPE, "min", dataMin(), "max", dataMax(), "range", Tensor.of(new float[]{lo, hi}));
    }

    static MinMaxScaler fromState(Map<String, Object> state) {
        float[] range = floats(state, "range");
        if (range.length != 2) throw new IllegalArgumentException("scaler state: range needs 2 values, got " + range.length);
        float[] mn = floats(state, "min"), mx = floats(state, "max");
        if (mn.length != mx.length) throw new IllegalArgumentException("scaler state: min has " + mn.length + " features, max " + mx.length);
        MinMaxScaler s = new MinMaxScaler(range[0], range[1]);
        s.setRange(mn, mx);
        return s;
    }
}
