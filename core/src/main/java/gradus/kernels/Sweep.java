package gradus.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * One direction of one recurrent layer run over a batch of sequences, in raw arrays; it keeps what
 * backpropagation through time needs. The input projections of all steps are one GEMM, each step adds
 * one recurrent GEMM, and a subclass ({@link LstmSweep}, {@link GruSweep}) fuses its gate nonlinearities per row.
 * Rows of the [rows, ·] buffers follow the input's layout: row(b, t) = b·T + t batch-first, else t·B + b.
 * Batch rows never interact, so ranges of them run on separate threads with no synchronization per step
 * ({@link #forwardAll}, {@link #backwardAll}).
 */
public abstract class Sweep {
    /** Batch rows per thread below which splitting the batch does not pay. */
    private static final int MIN_ROWS_PER_THREAD = 16;

    /** The cell a sweep runs: its gate count and whether it has a second state (LSTM's c). */
    public enum Cell {
        LSTM(4, true), GRU(3, false);

        public final int gates;
        public final boolean hasCellState;

        Cell(int gates, boolean hasCellState) {
            this.gates = gates;
            this.hasCellState = hasCellState;
        }
    }

    static final VectorSpecies<Float> SPECIES = VectorMath.SPECIES;
    static final int L = SPECIES.length();
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    // Gate nonlinearities in vector and scalar form: the scalar ones finish rows whose width is not a
    // multiple of the vector length.
    static FloatVector sigmoid(FloatVector v) {
        return ONE.div(ONE.add(VectorExp.exp(v.neg())));
    }

    static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }

    static FloatVector tanh(FloatVector v) {
        return VectorExp.tanh(v);
    }

    static float tanh(float v) {
        return (float) Math.tanh(v);
    }

    static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(SPECIES, a, i);
    }

    /** Batch size, steps, layout and per-sequence lengths (all steps are real when none are given). */
    public record Layout(int batch, int steps, boolean batchFirst, int[] lengths) {
        public int row(int b, int t) {
            return batchFirst ? b * steps + t : t * batch + b;
        }

        /** Rows between sequence b and b + 1 at the same step. */
        int rowStride() {
            return batchFirst ? steps : 1;
        }

        public int rows() {
            return batch * steps;
        }

        public int length(int b) {
            return lengths == null ? steps : lengths[b];
        }

        int maxLength(int b0, int b1) {
            int m = 0;
            for (int b = b0; b < b1; b++) m = Math.max(m, length(b));
            return m;
        }
    }

    final Layout layout;
    final boolean reverse;
    final int hidden, width; // H and gates·H
    final float[] x;
    final int xOff, inSize;
    final float[] wih, whh;
    /**
     * W_hhᵀ [H, gates·H], for the steps' products h·W_hhᵀ: GEMM repacks its right operand on every call, and
     * packing a row-major matrix is a plain copy where packing a transposed one shuffles 8×8 blocks.
     */
    private final float[] whhT;
    final int wihOff, whhOff;
    /** Biases (zeros when the layer has none). */
    final float[] bih, bhh;
    /** The layer's packed result: outputs [rows, D·H] then the final states; this direction's h state lives in it. */
    final float[] packed;
    final int outCol, outStride, hOff;
    /** Gate values per row; backward overwrites them with the gradients of the gate pre-activations. */
    final float[] gates;
    /** The hidden state each step started from, for dW_hh. */
    final float[] hPrev;

    Sweep(Layout layout, boolean reverse, int hidden, int gateCount, float[] x, int xOff, int inSize,
          float[] wih, int wihOff, float[] whh, int whhOff, float[] bih, float[] bhh,
          float[] packed, int outCol, int outStride, int hOff) {
        this.layout = layout;
        this.reverse = reverse;
        this.hidden = hidden;
        this.width = gateCount * hidden;
        this.x = x;
        this.xOff = xOff;
        this.inSize = inSize;
        this.wih = wih;
        this.wihOff = wihOff;
        this.whh = whh;
        this.whhOff = whhOff;
        this.bih = bih;
        this.bhh = bhh;
        this.packed = packed;
        this.outCol = outCol;
        this.outStride = outStride;
        this.hOff = hOff;
        this.gates = new float[layout.rows() * width];
        this.hPrev = new float[layout.rows() * hidden];
        this.whhT = new float[hidden * width];
        for (int r = 0; r < width; r++) {
            for (int c = 0; c < hidden; c++) whhT[c * width + r] = whh[whhOff + r * hidden + c];
        }
    }

    /**
     * One direction of one layer over x [rows, inSize] with W_ih [gates·H, inSize] and W_hh [gates·H, H] at their
     * offsets and biases [gates·H] (zeros for none). It writes its outputs h into {@code packed} at column
     * {@code outCol} of rows {@code outStride} apart, and keeps its states there: h [B, H] at {@code hOff} and
     * (LSTM) c [B, H] at {@code cOff}, which hold the initial states on entry.
     */
    public static Sweep of(Cell cell, Layout layout, boolean reverse, int hidden, float[] x, int xOff, int inSize,
                           float[] wih, int wihOff, float[] whh, int whhOff, float[] bih, float[] bhh,
                           float[] packed, int outCol, int outStride, int hOff, int cOff) {
        return switch (cell) {
            case LSTM -> new LstmSweep(layout, reverse, hidden, x, xOff, inSize, wih, wihOff, whh, whhOff, bih, bhh,
                    packed, outCol, outStride, hOff, cOff);
            case GRU -> new GruSweep(layout, reverse, hidden, x, xOff, inSize, wih, wihOff, whh, whhOff, bih, bhh,
                    packed, outCol, outStride, hOff);
        };
    }

    /** Runs the sweeps (the directions of one layer) over every step: their input projections, then the steps. */
    public static void forwardAll(Sweep[] sweeps) {
        for (Sweep s : sweeps) s.project();
        forEachRange(sweeps, (s, b0, b1) -> s.forward(b0, b1));
    }

    /**
     * Backpropagates through every step of the sweeps (once per forward: it overwrites the saved gates).
     * {@code gPacked} is the gradient of the packed result; {@code dh} (and {@code dc}) [D, B, H] hold the final
     * states' gradients and leave with the initial states'. Then {@link #parameterGrads} gives the rest.
     */
    public static void backwardAll(Sweep[] sweeps, float[] gPacked, float[] dh, float[] dc) {
        for (Sweep s : sweeps) s.prepareBackward();
        forEachRange(sweeps, (s, b0, b1) -> s.backward(b0, b1, gPacked, dh, dc, (s.reverse ? 1 : 0) * s.layout.batch() * s.hidden));
    }

    private interface RangeBody {
        void run(Sweep s, int b0, int b1);
    }

    /** Splits (direction, batch row) pairs over the threads: each range runs its steps with no synchronization. */
    private static void forEachRange(Sweep[] sweeps, RangeBody body) {
        int batch = sweeps[0].layout.batch();
        Parallel.forRange(sweeps.length * batch, MIN_ROWS_PER_THREAD, (from, to) -> {
            for (int d = from / batch; d < sweeps.length && d * batch < to; d++) {
                int b0 = Math.max(from - d * batch, 0), b1 = Math.min(to - d * batch, batch);
                if (b0 < b1) body.run(sweeps[d], b0, b1);
            }
        });
    }

    /** The step processed k-th (of {@code n}) in this direction. */
    final int step(int k, int n) {
        return reverse ? n - 1 - k : k;
    }

    /** gates = x·W_ihᵀ for every step at once. */
    final void project() {
        Gemm.sgemm(false, true, layout.rows(), width, inSize, 1f, x, xOff, inSize, wih, wihOff, inSize, 0f, gates, 0, width);
    }

    /** State rows [b0, b1)·W_hhᵀ into {@code c} (rows {@code ldc} apart), added to it when {@code accumulate}. */
    final void recurrentProduct(int b0, int b1, float[] c, int cOff, int ldc, boolean accumulate) {
        Gemm.sgemm(false, false, b1 - b0, width, hidden, 1f, packed, hOff + b0 * hidden, hidden,
                whhT, 0, width, accumulate ? 1f : 0f, c, cOff, ldc);
    }

    /** Runs every step of sequences [b0, b1), updating their states in {@link #packed}. */
    abstract void forward(int b0, int b1);

    /** Allocates what {@link #backward} needs beyond the forward buffers; runs once, before it. */
    void prepareBackward() {}

    /**
     * Backpropagates through every step of sequences [b0, b1). {@code gPacked} is the gradient of the packed
     * result; {@code dh} (and {@code dc}) hold the final states' gradients at {@code stateOff + b·H} and leave
     * with the initial states' gradients.
     */
    abstract void backward(int b0, int b1, float[] gPacked, float[] dh, float[] dc, int stateOff);

    /** Gradients of the recurrent pre-activations per row (for GRU they differ from the input side's). */
    abstract float[] hiddenGateGrads();

    /**
     * After {@link #backward}, the rows whose products make this direction's weight gradients, for per-sample rules
     * (DP-SGD): dW_ih = Σ_rows inputGrads[r]ᵀ·x[r], dW_hh = Σ_rows hiddenGrads[r]ᵀ·hPrev[r], the biases their column sums.
     * Rows follow {@link #layout} (row(b, t)); those past a sequence's end are zero in both gradients.
     */
    public record GradientRows(Layout layout, int width, float[] inputGrads, float[] hiddenGrads,
                               float[] x, int xOff, int inSize, float[] hPrev, int hidden) {}

    public final GradientRows gradientRows() {
        return new GradientRows(layout, width, gates, hiddenGateGrads(), x, xOff, inSize, hPrev, hidden);
    }

    /** Rows past a sequence's end carry no gradient: zeroes them in the gradient buffers. */
    final void clearPadding(int b0, int b1, float[]... buffers) {
        if (layout.lengths() == null) return;
        for (int b = b0; b < b1; b++) {
            for (int t = layout.length(b); t < layout.steps(); t++) {
                int r = layout.row(b, t) * width;
                for (float[] buf : buffers) Arrays.fill(buf, r, r + width, 0f);
            }
        }
    }

    /** dh[b0..b1) += (gradient rows of step t)·W_hh: the gradient reaching the previous step's state. */
    final void backToPreviousState(float[] rowGrads, int t, int b0, int b1, float[] dh, int stateOff) {
        Gemm.sgemm(false, false, b1 - b0, hidden, width, 1f, rowGrads, layout.row(b0, t) * width, layout.rowStride() * width,
                whh, whhOff, hidden, 1f, dh, stateOff + b0 * hidden, hidden);
    }

    /**
     * After {@link #backward}: weight and bias gradients of this direction (each may be null when not needed)
     * and the input gradient, added to {@code gx} or written over it when {@code overwrite}.
     */
    public final void parameterGrads(float[] gx, boolean overwrite, float[] gWih, float[] gWhh, float[] gBih, float[] gBhh) {
        int rows = layout.rows();
        float[] gh = hiddenGateGrads();
        if (gWih != null) Gemm.sgemm(true, false, width, inSize, rows, 1f, gates, 0, width, x, xOff, inSize, 0f, gWih, 0, inSize);
        if (gWhh != null) Gemm.sgemm(true, false, width, hidden, rows, 1f, gh, 0, width, hPrev, 0, hidden, 0f, gWhh, 0, hidden);
        if (gBih != null) columnSums(gates, rows, gBih);
        if (gBhh != null && gh == gates && gBih != null) System.arraycopy(gBih, 0, gBhh, 0, width);
        else if (gBhh != null) columnSums(gh, rows, gBhh);
        if (gx != null) Gemm.sgemm(false, false, rows, inSize, width, 1f, gates, 0, width, wih, wihOff, inSize, overwrite ? 0f : 1f, gx, 0, inSize);
    }

    private void columnSums(float[] m, int rows, float[] out) {
        for (int r = 0; r < rows; r++) VectorMath.add(out, 0, m, r * width, out, 0, width);
    }
}
