package gradus.data;

import gradus.tensor.Tensor;

import java.util.Map;

/**
 * A per-feature affine rescaling of inputs, fitted on training data and then applied unchanged to
 * validation, test and prediction inputs. Features are everything after the first (example)
 * dimension. {@link #state()} captures the fitted values so a saved model can rescale its inputs.
 */
public interface Scaler {
    /** Fits to the rows of {@code x} ({@code [N, ...]}) and returns this scaler. */
    Scaler fit(Tensor x);

    /** {@code x} rescaled with the fitted values; a new tensor of the same shape. */
    Tensor transform(Tensor x);

    /** Undoes {@link #transform}. */
    Tensor inverseTransform(Tensor x);

    default Tensor fitTransform(Tensor x) {
        return fit(x).transform(x);
    }

    /** The fitted values: {@code "type"} (a String) and float tensors; {@link #fromState} rebuilds the scaler. */
    Map<String, Object> state();

    /** A fitted scaler from its {@link #state()}. */
    static Scaler fromState(Map<String, Object> state) {
        Object type = state.get("type");
        if (StandardScaler.TYPE.equals(type)) return StandardScaler.fromState(state);
        if (MinMaxScaler.TYPE.equals(type)) return MinMaxScaler.fromState(state);
        throw new IllegalArgumentException("unknown scaler type " + type + " (known: "
                + StandardScaler.TYPE + ", " + MinMaxScaler.TYPE + ")");
    }
}
