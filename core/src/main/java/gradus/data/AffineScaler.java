package gradus.data;

import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * Shared machinery of the scalers: {@code y = (x - shift) * scale} per feature, over the raw arrays. Public so
 * that what applies the scaling elsewhere (an ONNX export's Sub and Mul nodes) uses exactly these numbers.
 */
public abstract class AffineScaler implements Scaler {
    protected float[] shift;
    protected float[] scale;

    protected final void requireFitted() {
        if (shift == null) throw new IllegalStateException(getClass().getSimpleName() + " is not fitted: call fit(trainingInputs) first");
    }

    /** The number of features per row of {@code x}, checked against the fitted count when {@code fitted}. */
    protected final int features(Tensor x, boolean fitted) {
        if (x.dim() < 1) throw new IllegalArgumentException("scaler inputs need a first dimension of examples, got a scalar");
        int[] shape = x.shape();
        int f = 1;
        for (int i = 1; i < shape.length; i++) f *= shape[i];
        if (fitted && f != shift.length) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " was fitted on " + shift.length
                    + " features per example, but inputs " + Arrays.toString(x.shape()) + " have " + f);
        }
        return f;
    }

    /** The per-feature value subtracted, shape {@code [F]}. */
    public final Tensor shift() {
        requireFitted();
        return Tensor.of(shift.clone());
    }

    /** The per-feature factor applied after subtracting, shape {@code [F]}. */
    public final Tensor scale() {
        requireFitted();
        return Tensor.of(scale.clone());
    }

    @Override
    public Tensor transform(Tensor x) {
        requireFitted();
        int f = features(x, true);
        float[] in = x.contiguousData();
        float[] out = new float[in.length];
        for (int r = 0; r < in.length; r += f) {
            for (int j = 0; j < f; j++) out[r + j] = (in[r + j] - shift[j]) * scale[j];
        }
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor inverseTransform(Tensor x) {
        requireFitted();
        int f = features(x, true);
        float[] in = x.contiguousData();
        float[] out = new float[in.length];
        for (int r = 0; r < in.length; r += f) {
            for (int j = 0; j < f; j++) out[r + j] = in[r + j] / scale[j] + shift[j];
        }
        return Tensor.of(out, x.shape());
    }

    protected static float[] floats(Map<String, Object> state, String key) {
        if (!(state.get(key) instanceof Tensor t)) throw new IllegalArgumentException("scaler state has no tensor '" + key + "'");
        return t.toArray();
    }
}
