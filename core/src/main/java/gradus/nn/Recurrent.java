package gradus.nn;

import gradus.autograd.Ops;
import gradus.autograd.RecurrentOps;
import gradus.kernels.Sweep;
import gradus.nn.init.Init;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stacked, optionally bidirectional recurrent layer behind {@link LSTM} and {@link GRU}, with
 * PyTorch's parameter names ({@code weight_ih_l0}, {@code bias_hh_l1_reverse}, …), layouts and init, so a
 * PyTorch state dict loads as it is. Each layer is one {@link RecurrentOps.Layer} op, with a hand-written
 * backward through time.
 */
public abstract class Recurrent extends Module {
    private final Sweep.Cell cell;
    private final String type;
    private final int gateCount, inputSize, hiddenSize, numLayers;
    private final boolean bidirectional, batchFirst, bias;
    private final float dropout;
    /** Per layer and direction: weight_ih, weight_hh, bias_ih, bias_hh (biases null without bias). */
    private final Tensor[][] weights;

    Recurrent(Sweep.Cell cell, int inputSize, int hiddenSize, int numLayers, boolean bidirectional,
              boolean batchFirst, float dropout, boolean bias) {
        this.cell = cell;
        this.type = cell.name();
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(type + " needs positive sizes, got inputSize=" + inputSize
                    + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers);
        }
        if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException(type + " dropout must be in [0, 1), got " + dropout);
        this.gateCount = cell.gates;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bidirectional = bidirectional;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bias = bias;
        int dirs = directions();
        int gh = ParameterBudget.check(type + " gates", gateCount, hiddenSize);
        ParameterBudget.check(type + " layers' gates", numLayers, dirs, gh); // bounds the loops below
        for (int l = 0; l < numLayers; l++) {
            for (int d = 0; d < dirs; d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                // Reserved before anything is allocated; the products they check also keep gh·in and dirs·H in int range.
                ParameterBudget.reserve(type + " weight_ih" + suffix, gh, l == 0 ? inputSize : hiddenSize, l == 0 ? 1 : dirs);
                ParameterBudget.reserve(type + " weight_hh" + suffix, gh, hiddenSize);
                if (bias) ParameterBudget.reserve(type + " biases" + suffix, 2, gh);
            }
        }
        this.weights = new Tensor[numLayers * dirs][];
        // PyTorch's init: every weight and bias U(-1/√H, 1/√H).
        float bound = (float) (1.0 / Math.sqrt(hiddenSize));
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : dirs * hiddenSize;
            for (int d = 0; d < dirs; d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                weights[l * dirs + d] = new Tensor[]{
                        registerParameter("weight_ih" + suffix, Init.uniform(bound, gh, in)),
                        registerParameter("weight_hh" + suffix, Init.uniform(bound, gh, hiddenSize)),
                        bias ? registerParameter("bias_ih" + suffix, Init.uniform(bound, gh)) : null,
                        bias ? registerParameter("bias_hh" + suffix, Init.uniform(bound, gh)) : null};
            }
        }
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public boolean bidirectional() {
        return bidirectional;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    private int directions() {
        return bidirectional ? 2 : 1;
    }

    /** Whether the cell has a second state (LSTM's c). */
    private boolean hasCellState() {
        return cell.hasCellState;
    }

    /** The output sequence [B, T, D·H] (batch-first) or [T, B, D·H]: all steps of all sequences, from zero states. */
    @Override
    public Tensor forward(Tensor x) {
        return run(x, null, null, null).output();
    }

    /** {@link #run(Tensor, int[], Tensor, Tensor)} from zero initial states. */
    public RecurrentOutput run(Tensor x, int[] lengths) {
        return run(x, lengths, null, null);
    }

    /**
     * Runs the layers over x [B, T, inputSize] (batch-first; else [T, B, inputSize]; or one sequence [T, inputSize]).
     * {@code lengths} (may be null: all T) gives each sequence's real steps, right-padded: later steps are not
     * computed, their outputs are zero, the final states are those at each sequence's last real step and the
     * reverse direction starts there (PyTorch's packed sequences). h0 and c0 [layers·D, B, H] may be null (zeros);
     * c0 only for LSTM.
     */
    public RecurrentOutput run(Tensor x, int[] lengths, Tensor h0, Tensor c0) {
        if (x.dim() == 2) return unbatched(x, lengths, h0, c0);
        if (x.dim() != 3 || x.size(2) != inputSize) {
            throw new IllegalArgumentException(this + " expects input [" + (batchFirst ? "B, T, " : "T, B, ") + inputSize
                    + "], got shape " + Shape.str(x.shape()));
        }
        int batch = x.size(batchFirst ? 0 : 1), steps = x.size(batchFirst ? 1 : 0), dirs = directions();
        if (lengths != null) checkLengths(lengths, batch, steps);
        int[] stateShape = {numLayers * dirs, batch, hiddenSize};
        checkState("h0", h0, stateShape);
        if (!hasCellState() && c0 != null) throw new IllegalArgumentException(type + " has no cell state; c0 must be null");
        checkState("c0", c0, stateShape);
        Sweep.Layout layout = new Sweep.Layout(batch, steps, batchFirst, lengths == null ? null : lengths.clone());
        List<Tensor> hs = new ArrayList<>(), cs = new ArrayList<>();
        Tensor in = x;
        for (int l = 0; l < numLayers; l++) {
            if (l > 0) in = F.dropout(in, dropout, isTraining(), Rng.global());
            Tensor[] r = layer(l, in, layout, h0 == null ? null : h0.narrow(0, l * dirs, dirs),
                    c0 == null ? null : c0.narrow(0, l * dirs, dirs));
            in = r[0];
            hs.add(r[1]);
            if (hasCellState()) cs.add(r[2]);
        }
        return new RecurrentOutput(in, join(hs), hasCellState() ? join(cs) : null);
    }

    private RecurrentOutput unbatched(Tensor x, int[] lengths, Tensor h0, Tensor c0) {
        RecurrentOutput r = run(x.unsqueeze(batchFirst ? 0 : 1), lengths,
                h0 == null ? null : h0.unsqueeze(1), c0 == null ? null : c0.unsqueeze(1));
        return new RecurrentOutput(r.output().squeeze(batchFirst ? 0 : 1), r.hidden().squeeze(1),
                r.cell() == null ? null : r.cell().squeeze(1));
    }

    private static Tensor join(List<Tensor> perLayer) {
        return perLayer.size() == 1 ? perLayer.get(0) : Tensor.concat(perLayer, 0);
    }

    private void checkLengths(int[] lengths, int batch, int steps) {
        if (lengths.length != batch) {
            throw new IllegalArgumentException(type + " got " + lengths.length + " lengths for a batch of " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException(type + " length " + lengths[b] + " of sequence " + b
                        + " is outside [1, " + steps + "]: " + Arrays.toString(lengths));
            }
        }
    }

    private void checkState(String name, Tensor s, int[] expected) {
        if (s != null && !Arrays.equals(s.shape(), expected)) {
            throw new IllegalArgumentException(type + " " + name + " must have shape " + Shape.str(expected)
                    + " (layers·directions, batch, hidden), got " + Shape.str(s.shape()));
        }
    }

    /** One layer, both directions, as one op: returns output, final h [D, B, H] and final c. */
    private Tensor[] layer(int l, Tensor x, Sweep.Layout layout, Tensor h0, Tensor c0) {
        int dirs = directions();
        var op = new RecurrentOps.Layer(cell, hiddenSize, dirs, layout);
        Tensor[] inputs = new Tensor[1 + 4 * dirs + 2];
        inputs[0] = x;
        for (int d = 0; d < dirs; d++) System.arraycopy(weights[l * dirs + d], 0, inputs, 1 + 4 * d, 4);
        inputs[inputs.length - 2] = h0;
        inputs[inputs.length - 1] = c0;
        Tensor all = Ops.apply(op, inputs);
        return new Tensor[]{op.output(all), op.hidden(all), cell.hasCellState ? op.cell(all) : null};
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("input_size", inputSize);
        c.put("hidden_size", hiddenSize);
        c.put("num_layers", numLayers);
        c.put("bidirectional", bidirectional);
        c.put("batch_first", batchFirst);
        c.put("dropout", dropout);
        c.put("bias", bias);
        return c;
    }
}
