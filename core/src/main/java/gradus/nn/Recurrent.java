package gradus.nn;

import gradus.kernels.Parallel;
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
 * PyTorch state dict loads as it is. Each layer is one autograd node with a hand-written backward through time.
 */
public abstract class Recurrent extends Module {
    /** Batch rows per thread below which splitting the batch does not pay. */
    private static final int MIN_ROWS_PER_THREAD = 16;

    private final String type;
    private final int gateCount, inputSize, hiddenSize, numLayers;
    private final boolean bidirectional, batchFirst, bias;
    private final float dropout;
    /** Per layer and direction: weight_ih, weight_hh, bias_ih, bias_hh (biases null without bias). */
    private final Tensor[][] weights;

    Recurrent(String type, int gateCount, int inputSize, int hiddenSize, int numLayers, boolean bidirectional,
              boolean batchFirst, float dropout, boolean bias) {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(type + " needs positive sizes, got inputSize=" + inputSize
                    + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers);
        }
        if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException(type + " dropout must be in [0, 1), got " + dropout);
        this.type = type;
        this.gateCount = gateCount;
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
    abstract boolean hasCellState();

    /** The cell's sweep over one direction of one layer. */
    abstract Sweep sweep(Sweep.Layout layout, boolean reverse, float[] x, int xOff, int inSize, Tensor[] w,
                         float[] bih, float[] bhh, float[] packed, int outCol, int outStride, int hOff, int cOff);

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

    /** One layer, both directions, as one autograd node: returns output, final h [D, B, H] and final c. */
    private Tensor[] layer(int l, Tensor x, Sweep.Layout layout, Tensor h0, Tensor c0) {
        int dirs = directions(), hidden = hiddenSize, batch = layout.batch(), rows = layout.rows();
        int inSize = x.size(2), outWidth = dirs * hidden, stateSize = dirs * batch * hidden;
        int hOff = rows * outWidth, cOff = hOff + stateSize;
        Tensor xc = x.contiguous();
        Tensor h0c = h0 == null ? null : h0.contiguous(), c0c = c0 == null ? null : c0.contiguous();
        float[] packed = new float[cOff + (hasCellState() ? stateSize : 0)];
        if (h0c != null) System.arraycopy(h0c.data(), h0c.offset(), packed, hOff, stateSize);
        if (c0c != null) System.arraycopy(c0c.data(), c0c.offset(), packed, cOff, stateSize);
        Sweep[] sweeps = new Sweep[dirs];
        List<Tensor> inputs = new ArrayList<>(List.of(xc));
        for (int d = 0; d < dirs; d++) {
            Tensor[] w = weights[l * dirs + d];
            sweeps[d] = sweep(layout, d == 1, xc.data(), xc.offset(), inSize, w, biasData(w[2]), biasData(w[3]),
                    packed, d * hidden, outWidth, hOff + d * batch * hidden, cOff + d * batch * hidden);
            sweeps[d].project();
            inputs.addAll(Arrays.asList(w));
        }
        inputs.add(h0c);
        inputs.add(c0c);
        forEachRange(sweeps, batch, (s, b0, b1) -> s.forward(b0, b1));
        boolean[] done = {false};
        Tensor all = Tensor.record(Tensor.of(packed, packed.length), type.toLowerCase(), g -> {
            // Backward overwrites the saved gates with their gradients, so a second pass would read garbage.
            if (done[0]) throw new IllegalStateException("backward through a " + type + " layer can run only once per forward");
            done[0] = true;
            for (Sweep s : sweeps) s.prepareBackward();
            float[] gp = g.contiguousData();
            float[] dh = Arrays.copyOfRange(gp, hOff, hOff + stateSize);
            float[] dc = hasCellState() ? Arrays.copyOfRange(gp, cOff, cOff + stateSize) : null;
            forEachRange(sweeps, batch, (s, b0, b1) -> s.backward(b0, b1, gp, dh, dc, (s.reverse ? 1 : 0) * batch * hidden));
            Tensor[] grads = new Tensor[inputs.size()];
            float[] gx = xc.requiresGrad() ? new float[xc.numel()] : null;
            for (int d = 0; d < dirs; d++) {
                float[][] gw = new float[4][];
                for (int k = 0; k < 4; k++) {
                    Tensor p = inputs.get(1 + 4 * d + k);
                    if (p != null && p.requiresGrad()) {
                        gw[k] = new float[p.numel()];
                        grads[1 + 4 * d + k] = Tensor.of(gw[k], p.shape());
                    }
                }
                sweeps[d].parameterGrads(gx, d == 0, gw[0], gw[1], gw[2], gw[3]);
            }
            if (gx != null) grads[0] = Tensor.of(gx, xc.shape());
            grads[grads.length - 2] = h0c == null ? null : Tensor.of(dh, dirs, batch, hidden);
            grads[grads.length - 1] = c0c == null ? null : Tensor.of(dc, dirs, batch, hidden);
            return grads;
        }, inputs.toArray(Tensor[]::new));
        int[] outShape = batchFirst ? new int[]{batch, layout.steps(), outWidth} : new int[]{layout.steps(), batch, outWidth};
        return new Tensor[]{all.narrow(0, 0, hOff).view(outShape), all.narrow(0, hOff, stateSize).view(dirs, batch, hidden),
                hasCellState() ? all.narrow(0, cOff, stateSize).view(dirs, batch, hidden) : null};
    }

    private float[] biasData(Tensor b) {
        return b == null ? new float[gateCount * hiddenSize] : b.contiguousData();
    }

    private interface RangeBody {
        void run(Sweep s, int b0, int b1);
    }

    /** Splits (direction, batch row) pairs over the threads: each range runs its steps with no synchronization. */
    private static void forEachRange(Sweep[] sweeps, int batch, RangeBody body) {
        Parallel.forRange(sweeps.length * batch, MIN_ROWS_PER_THREAD, (from, to) -> {
            for (int d = from / batch; d < sweeps.length && d * batch < to; d++) {
                int b0 = Math.max(from - d * batch, 0), b1 = Math.min(to - d * batch, batch);
                if (b0 < b1) body.run(sweeps[d], b0, b1);
            }
        });
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
