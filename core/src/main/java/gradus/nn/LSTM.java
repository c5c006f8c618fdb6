package gradus.nn;

import gradus.kernels.Sweep;

/**
 * Long short-term memory, as PyTorch's {@code nn.LSTM}: gates in the order i, f, g, o;
 * c' = f·c + i·g and h' = o·tanh(c'). Returns the output sequence and the final (h, c).
 */
public final class LSTM extends Recurrent {
    /** One batch-first layer with biases. */
    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, true, 0f, true);
    }

    /** {@code dropout} applies to the outputs of every layer but the last, in training only. */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, boolean batchFirst, float dropout, boolean bias) {
        super(Sweep.Cell.LSTM, inputSize, hiddenSize, numLayers, bidirectional, batchFirst, dropout, bias);
    }
}
