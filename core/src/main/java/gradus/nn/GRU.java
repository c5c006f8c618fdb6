package gradus.nn;

import gradus.kernels.Sweep;
import gradus.tensor.Tensor;

/**
 * Gated recurrent unit, as PyTorch's {@code nn.GRU}: gates in the order r, z, n with
 * n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)) and h' = (1 − z)·n + z·h. Returns the output sequence and the final h.
 */
public final class GRU extends Recurrent {
    /** One batch-first layer with biases. */
    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, true, 0f, true);
    }

    /** {@code dropout} applies to the outputs of every layer but the last, in training only. */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, boolean batchFirst, float dropout, boolean bias) {
        super(Sweep.Cell.GRU, inputSize, hiddenSize, numLayers, bidirectional, batchFirst, dropout, bias);
    }

    /** {@link #run(Tensor, int[], Tensor, Tensor)} from the initial states h0 [layers·D, B, H] (null: zeros). */
    public RecurrentOutput run(Tensor x, int[] lengths, Tensor h0) {
        return run(x, lengths, h0, null);
    }
}
