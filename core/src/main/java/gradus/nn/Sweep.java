package gradus.nn;

import gradus.kernels.Gemm;
import gradus.kernels.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * One direction of one recurrent layer run over a batch of sequences, in raw arrays; it keeps what
 * backpropagation through time needs. The input projections of all steps are one GEMM, each step adds
 * one recurrent GEMM, and a subclass ({@link LSTM}, {@link GRU}) fuses its gate nonlinearities per row.
 * Rows of the [rows, ·] buffers follow the input's layout: row(b, t) = b·T + t batch-first, else t·B + b.
 * Batch rows never interact, so ranges of them run on separate threads with no synchronization per step.
 */
abstract class Sweep {
    static final VectorSpecies<Float> SPECIES = VectorMath.SPECIES;
    static final int L = SPECIES.length();
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    // Gate nonlinearities in vector and scalar form: the scalar ones finish rows whose width is not a
    // multiple of the vector length.
    static FloatVector sigmoid(FloatVector v) {
        return ONE.div(ONE.add(v.neg().lanewise(VectorOperators.EXP)));
    }

    static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }

    static FloatVector tanh(FloatVector v) {
        return v.lanewise(VectorOperators.TANH);
    }

    static float tanh(float v) {
        return (float) Math.tanh(v);
    }

    static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(SPECIES, a, i);
    }

    /** Batch size, steps, layout and per-sequence lengths (all steps are real when none are given). */
    record Layout(int batch, int steps, boolean batchFirst, int[] lengths) {
        int row(int b, int t) {
            return batchFirst ? b * steps + t : t * batch + b;
        }

        /** Rows between sequence b and b + 1 at the same step. */
        int rowStride() {
            return batchFirst ? steps : 1;
        }

        int rows() {
            return batch * steps;
        }

        int length(int b) {
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
    final void parameterGrads(float[] gx, boolean overwrite, float[] gWih, float[] gWhh, float[] gBih, float[] gBhh) {
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
