package gradus.privacy;

import gradus.autograd.Context;
import gradus.autograd.RecurrentOps;
import gradus.kernels.Sweep;
import gradus.tensor.Tensor;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Per-sample gradients of an LSTM or GRU layer (each direction's W_ih, W_hh, b_ih, b_hh), exact: the layer's own
 * backward through time leaves the gradient of every gate pre-activation per (sample, step) row, and sample i's
 * weight gradient is the sum over its steps of those rows times the step's input or previous hidden state. That is
 * a Linear node with T positions (Opacus's DPLSTM accumulates its RNNLinear grad samples over the steps the same
 * way), so {@link LinearSamples.Weight} takes the norms and the clipped sum. The rows exist only once the layer's
 * backward has run, after this rule is called, so the gradients are built on first use (in {@link DpSgd#accumulate}).
 */
final class RecurrentSamples {
    private RecurrentSamples() {}

    static void collect(RecurrentOps.Layer op, Context ctx, Set<Tensor> params, List<SampleGrad> out) {
        Sweep[] sweeps = ctx.saved(0);
        int batch = op.layout().batch();
        for (int d = 0; d < op.directions(); d++) {
            Sweep sweep = sweeps[d];
            Tensor wih = ctx.in(1 + 4 * d), whh = ctx.in(2 + 4 * d), bih = ctx.in(3 + 4 * d), bhh = ctx.in(4 + 4 * d);
            if (params.contains(wih)) out.add(new Deferred(wih, batch, () -> {
                Sweep.GradientRows r = sweep.gradientRows();
                return new LinearSamples.Weight(wih, batch, steps(r), batchMajor(r, r.x(), r.xOff(), r.inSize()), r.inSize(),
                        batchMajor(r, r.inputGrads(), 0, r.width()), r.width(), 0, r.width());
            }));
            if (params.contains(whh)) out.add(new Deferred(whh, batch, () -> {
                Sweep.GradientRows r = sweep.gradientRows();
                return new LinearSamples.Weight(whh, batch, steps(r), batchMajor(r, r.hPrev(), 0, r.hidden()), r.hidden(),
                        batchMajor(r, r.hiddenGrads(), 0, r.width()), r.width(), 0, r.width());
            }));
            if (bih != null && params.contains(bih)) out.add(new Deferred(bih, batch, () -> {
                Sweep.GradientRows r = sweep.gradientRows();
                return LinearSamples.bias(bih, batch, steps(r), batchMajor(r, r.inputGrads(), 0, r.width()), r.width(), 0, r.width());
            }));
            if (bhh != null && params.contains(bhh)) out.add(new Deferred(bhh, batch, () -> {
                Sweep.GradientRows r = sweep.gradientRows();
                return LinearSamples.bias(bhh, batch, steps(r), batchMajor(r, r.hiddenGrads(), 0, r.width()), r.width(), 0, r.width());
            }));
        }
    }

    private static int steps(Sweep.GradientRows r) {
        return r.layout().steps();
    }

    /** The rows [rows, w] of {@code src} (from {@code off}) ordered sample by sample, as the Linear rule reads them. */
    private static float[] batchMajor(Sweep.GradientRows r, float[] src, int off, int w) {
        Sweep.Layout l = r.layout();
        if (l.batchFirst() && off == 0) return src;
        float[] out = new float[l.rows() * w];
        for (int b = 0; b < l.batch(); b++) {
            for (int t = 0; t < l.steps(); t++) System.arraycopy(src, off + l.row(b, t) * w, out, (b * l.steps() + t) * w, w);
        }
        return out;
    }

    /** A parameter's per-sample gradients, made on first use from rows the backward has filled by then. */
    private static final class Deferred extends SampleGrad {
        private final Supplier<SampleGrad> make;
        private SampleGrad made;

        Deferred(Tensor param, int batch, Supplier<SampleGrad> make) {
            super(param, batch);
            this.make = make;
        }

        private SampleGrad made() {
            if (made == null) made = make.get();
            return made;
        }

        @Override
        double[] squaredNorms() {
            return made().squaredNorms();
        }

        @Override
        float[] weightedSum(float[] scale) {
            return made().weightedSum(scale);
        }

        @Override
        float[] perSample() {
            return made().perSample();
        }
    }
}
