package gradus.io.onnx;

import gradus.io.onnx.OnnxExporter.Flow;
import gradus.nn.LSTM;
import gradus.nn.Module;
import gradus.nn.Recurrent;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static gradus.io.onnx.OnnxExporter.attr;

/**
 * Gradus's recurrent layers (PyTorch layout) as ONNX's LSTM and GRU operators, one node per layer:
 * gate blocks reordered (PyTorch i,f,g,o → ONNX i,o,f,c; r,z,n → z,r,h), directions stacked, and
 * each direction's two biases joined in one row. GRU keeps PyTorch's reset-after-product form
 * ({@code linear_before_reset=1}).
 */
public final class RecurrentExport {
    /** ONNX's gate block k is PyTorch's block LSTM_GATES[k] (resp. GRU_GATES[k]). */
    private static final int[] LSTM_GATES = {0, 3, 1, 2};
    private static final int[] GRU_GATES = {1, 0, 2};

    private RecurrentExport() {}

    /** The output sequence [T, B, D·H] and the last layer's final hidden state [D, B, H]. */
    public record Result(Flow sequence, Flow lastHidden) {}

    /** The layer on its own, as its forward: the output sequence from zero states over all steps. */
    static Flow layer(OnnxExporter g, Module m, String path, Flow in) {
        Recurrent r = (Recurrent) m;
        if (in.rank() != 3) {
            throw new IllegalArgumentException("ONNX export of " + m.getClass().getSimpleName() + " needs a rank-3 input "
                    + (r.batchFirst() ? "[batch, sequence, features]" : "[sequence, batch, features]") + ", got rank " + in.rank());
        }
        Flow x = r.batchFirst() ? swapFirstAxes(g, in) : in;
        Flow y = run(g, r, path, x, null).sequence();
        return r.batchFirst() ? swapFirstAxes(g, y) : y;
    }

    /**
     * Runs every layer over x [T, B, F] (time-major, as ONNX wants: ONNX Runtime has no batch-first
     * layout). {@code sequenceLengths} (int32 [B], or null for all steps) stops each row at its last
     * real step, as Gradus's lengths do; ONNX Runtime zeroes the outputs past it.
     */
    public static Result run(OnnxExporter g, Recurrent r, String path, Flow x, String sequenceLengths) {
        boolean lstm = r instanceof LSTM;
        int[] order = lstm ? LSTM_GATES : GRU_GATES;
        int hidden = r.hiddenSize(), dirs = r.bidirectional() ? 2 : 1;
        Map<String, Tensor> p = r.namedParameters();
        Flow lastHidden = null;
        for (int l = 0; l < r.numLayers(); l++) {
            List<Tensor> w = new ArrayList<>(), rec = new ArrayList<>(), b = new ArrayList<>();
            for (int d = 0; d < dirs; d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                w.add(reorder(p.get("weight_ih" + suffix), order, hidden));
                rec.add(reorder(p.get("weight_hh" + suffix), order, hidden));
                Tensor bih = p.get("bias_ih" + suffix);
                if (bih != null) b.add(Tensor.concat(List.of(reorder(bih, order, hidden), reorder(p.get("bias_hh" + suffix), order, hidden)), 0));
            }
            List<String> inputs = new ArrayList<>(List.of(x.name(),
                    g.initializer(path + "W_l" + l, Tensor.stack(w, 0)), g.initializer(path + "R_l" + l, Tensor.stack(rec, 0))));
            // Optional inputs are positional: "" skips the bias when there is none but lengths follow.
            inputs.add(b.isEmpty() ? "" : g.initializer(path + "B_l" + l, Tensor.stack(b, 0)));
            if (sequenceLengths != null) inputs.add(sequenceLengths);
            while (inputs.getLast().isEmpty()) inputs.removeLast();
            var hiddenSize = attr("hidden_size", (long) hidden);
            var direction = attr("direction", dirs == 2 ? "bidirectional" : "forward");
            Flow[] out = lstm
                    ? g.nodeOutputs("LSTM", new int[]{4, 3}, inputs, hiddenSize, direction)
                    : g.nodeOutputs("GRU", new int[]{4, 3}, inputs, hiddenSize, direction, attr("linear_before_reset", 1L));
            // Y [T, D, B, H] → [T, B, D·H], both directions side by side as Gradus lays them out.
            Flow y = g.node("Transpose", 4, List.of(out[0].name()), attr("perm", new long[]{0, 2, 1, 3}));
            x = g.node("Reshape", 3, List.of(y.name(), g.longs(new long[]{0, 0, -1})));
            lastHidden = out[1];
        }
        return new Result(x, lastHidden);
    }

    /** The [gates·H, …] tensor with its gate blocks in ONNX's order. */
    private static Tensor reorder(Tensor t, int[] order, int hidden) {
        if (t.size(0) != order.length * hidden) {
            throw new IllegalStateException("expected " + order.length + " gate blocks of " + hidden + " rows, got shape " + Shape.str(t.shape()));
        }
        List<Tensor> blocks = new ArrayList<>();
        for (int k : order) blocks.add(t.narrow(0, k * hidden, hidden));
        return Tensor.concat(blocks, 0);
    }

    /** [A, B, …] → [B, A, …] for rank 3. */
    public static Flow swapFirstAxes(OnnxExporter g, Flow in) {
        return g.node("Transpose", 3, List.of(in.name()), attr("perm", new long[]{1, 0, 2}));
    }
}
