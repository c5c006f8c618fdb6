package gradus.autograd;

import gradus.kernels.Sweep;
import gradus.kernels.Sweep.Cell;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Recurrent layers (PyTorch's LSTM and GRU cells, gate order i, f, g, o and r, z, n) as one fused op per layer:
 * the kernels of {@link Sweep} run all steps of both directions with a hand-written backward through time; the
 * composite steps the cell with primitive ops.
 */
public final class RecurrentOps {
    private RecurrentOps() {}

    /**
     * One layer, all its directions. Inputs: x [B, T, in] (batch-first, else [T, B, in]); per direction
     * W_ih [gates·H, in], W_hh [gates·H, H], b_ih, b_hh [gates·H] (null: none); h0, c0 [D, B, H] (null: zeros;
     * c0 only for LSTM). The output is one flat tensor, [rows·D·H] outputs (zero past a sequence's length) then the
     * final h [D·B·H] then (LSTM) the final c [D·B·H]; {@link #output}, {@link #hidden} and {@link #cell} view it.
     */
    public record Layer(Cell cellType, int hidden, int directions, Sweep.Layout layout) implements Fused {
        public String name() { return cellType.name().toLowerCase(); }

        private int outWidth() {
            return directions * hidden;
        }

        private int stateSize() {
            return directions * layout.batch() * hidden;
        }

        private int hOff() {
            return layout.rows() * outWidth();
        }

        private int cOff() {
            return hOff() + stateSize();
        }

        private int size() {
            return cOff() + (cellType.hasCellState ? stateSize() : 0);
        }

        /** The output sequence [B, T, D·H] (batch-first) or [T, B, D·H] of the op's result. */
        public Tensor output(Tensor all) {
            int[] shape = layout.batchFirst() ? new int[]{layout.batch(), layout.steps(), outWidth()}
                    : new int[]{layout.steps(), layout.batch(), outWidth()};
            return all.narrow(0, 0, hOff()).view(shape);
        }

        /** The final h [D, B, H] of the op's result. */
        public Tensor hidden(Tensor all) {
            return all.narrow(0, hOff(), stateSize()).view(directions, layout.batch(), hidden);
        }

        /** The final c [D, B, H] of the op's result (LSTM only). */
        public Tensor cell(Tensor all) {
            return all.narrow(0, cOff(), stateSize()).view(directions, layout.batch(), hidden);
        }

        private int h0() {
            return 1 + 4 * directions;
        }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0).contiguous();
            int batch = layout.batch(), inSize = x.size(2), stateSize = stateSize(), hOff = hOff(), cOff = cOff();
            float[] packed = new float[size()];
            Tensor h0 = ctx.in(h0()), c0 = ctx.in(h0() + 1);
            if (h0 != null) System.arraycopy(h0.contiguousData(), 0, packed, hOff, stateSize);
            if (c0 != null) System.arraycopy(c0.contiguousData(), 0, packed, cOff, stateSize);
            Sweep[] sweeps = new Sweep[directions];
            for (int d = 0; d < directions; d++) {
                Tensor wih = ctx.in(1 + 4 * d).contiguous(), whh = ctx.in(2 + 4 * d).contiguous();
                sweeps[d] = Sweep.of(cellType, layout, d == 1, hidden, x.data(), x.offset(), inSize,
                        wih.data(), wih.offset(), whh.data(), whh.offset(), bias(ctx.in(3 + 4 * d)), bias(ctx.in(4 + 4 * d)),
                        packed, d * hidden, outWidth(), hOff + d * batch * hidden, cOff + d * batch * hidden);
            }
            Sweep.forwardAll(sweeps);
            if (ctx.recording()) ctx.save(sweeps, x, new boolean[1]);
            return Tensor.of(packed, packed.length);
        }

        private float[] bias(Tensor b) {
            return b == null ? new float[cellType.gates * hidden] : b.contiguousData();
        }

        public Tensor[] backward(Context ctx, Tensor grad) {
            Sweep[] sweeps = ctx.saved(0);
            Tensor x = ctx.saved(1);
            boolean[] done = ctx.saved(2);
            // Backward overwrites the saved gates with their gradients, so a second pass would read garbage.
            if (done[0]) throw new IllegalStateException("backward through a " + cellType + " layer can run only once per forward");
            done[0] = true;
            int hOff = hOff(), cOff = cOff(), stateSize = stateSize();
            float[] gp = grad.contiguousData();
            float[] dh = Arrays.copyOfRange(gp, hOff, hOff + stateSize);
            float[] dc = cellType.hasCellState ? Arrays.copyOfRange(gp, cOff, cOff + stateSize) : null;
            Sweep.backwardAll(sweeps, gp, dh, dc);
            Tensor[] grads = new Tensor[ctx.arity()];
            float[] gx = ctx.needsGrad(0) ? new float[x.numel()] : null;
            for (int d = 0; d < directions; d++) {
                float[][] gw = new float[4][];
                for (int k = 0; k < 4; k++) {
                    int i = 1 + 4 * d + k;
                    if (ctx.needsGrad(i)) {
                        gw[k] = new float[ctx.in(i).numel()];
                        grads[i] = Tensor.of(gw[k], ctx.in(i).shape());
                    }
                }
                sweeps[d].parameterGrads(gx, d == 0, gw[0], gw[1], gw[2], gw[3]);
            }
            if (gx != null) grads[0] = Tensor.of(gx, x.shape());
            int[] state = {directions, layout.batch(), hidden};
            if (ctx.needsGrad(h0())) grads[h0()] = Tensor.of(dh, state);
            if (ctx.needsGrad(h0() + 1)) grads[h0() + 1] = Tensor.of(dc, state);
            return grads;
        }

        /** The cell stepped with primitive ops; steps past a sequence's length keep the state and output zeros. */
        public Tensor composite(Tensor... in) {
            Tensor x = layout.batchFirst() ? in[0] : in[0].transpose(0, 1); // [B, T, in]
            int batch = layout.batch(), steps = layout.steps();
            List<Tensor> outs = new ArrayList<>(), hs = new ArrayList<>(), cs = new ArrayList<>();
            for (int d = 0; d < directions; d++) {
                Tensor wih = in[1 + 4 * d], whh = in[2 + 4 * d], bih = in[3 + 4 * d], bhh = in[4 + 4 * d];
                Tensor proj = x.matmul(wih.t());
                if (bih != null) proj = proj.add(bih);
                Tensor zeros = Tensor.zeros(batch, hidden).to(x.dtype());
                Tensor h = in[h0()] == null ? zeros : in[h0()].select(0, d);
                Tensor c = in[h0() + 1] == null ? zeros : in[h0() + 1].select(0, d);
                Tensor[] out = new Tensor[steps];
                for (int k = 0; k < steps; k++) {
                    int t = d == 1 ? steps - 1 - k : k;
                    Tensor rec = h.matmul(whh.t());
                    if (bhh != null) rec = rec.add(bhh);
                    Tensor xt = proj.select(1, t), hNew, cNew = null;
                    if (cellType == Cell.LSTM) {
                        Tensor gates = xt.add(rec);
                        Tensor i = gate(gates, 0).sigmoid(), f = gate(gates, 1).sigmoid();
                        Tensor g = gate(gates, 2).tanh(), o = gate(gates, 3).sigmoid();
                        cNew = f.mul(c).add(i.mul(g));
                        hNew = o.mul(cNew.tanh());
                    } else {
                        Tensor r = gate(xt, 0).add(gate(rec, 0)).sigmoid(), z = gate(xt, 1).add(gate(rec, 1)).sigmoid();
                        Tensor n = gate(xt, 2).add(r.mul(gate(rec, 2))).tanh();
                        hNew = n.add(z.mul(h.sub(n)));
                    }
                    Tensor live = live(t, x);
                    if (live == null) {
                        h = hNew;
                        c = cNew;
                        out[t] = hNew;
                    } else {
                        h = keep(live, hNew, h);
                        if (cNew != null) c = keep(live, cNew, c);
                        out[t] = hNew.mul(live);
                    }
                }
                outs.add(Tensor.stack(Arrays.asList(out), 1));
                hs.add(h);
                cs.add(c);
            }
            Tensor output = directions == 1 ? outs.get(0) : Tensor.concat(outs, 2);
            if (!layout.batchFirst()) output = output.transpose(0, 1);
            List<Tensor> parts = new ArrayList<>(List.of(output.reshape(-1), Tensor.stack(hs, 0).reshape(-1)));
            if (cellType.hasCellState) parts.add(Tensor.stack(cs, 0).reshape(-1));
            return Tensor.concat(parts, 0);
        }

        private Tensor gate(Tensor gates, int k) {
            return gates.narrow(1, k * hidden, hidden);
        }

        /** [B, 1] of 1 where step t is inside the sequence, else 0; null when every sequence has every step. */
        private Tensor live(int t, Tensor like) {
            if (layout.lengths() == null) return null;
            float[] m = new float[layout.batch()];
            for (int b = 0; b < m.length; b++) m[b] = t < layout.length(b) ? 1f : 0f;
            return Tensor.of(m, m.length, 1).to(like.dtype());
        }

        private static Tensor keep(Tensor live, Tensor next, Tensor previous) {
            return next.mul(live).add(previous.mul(live.neg().add(1f)));
        }
    }
}
