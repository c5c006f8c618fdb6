package gradus.privacy;

import gradus.autograd.Context;
import gradus.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * Per-sample gradients of layer normalization's scale and shift: Σ over the sample's rows of g∘x̂ and of g,
 * with x̂ rebuilt from the forward's saved mean and 1/σ. They are as small as the layer's width, so formed.
 */
final class LayerNormSamples {
    private LayerNormSamples() {}

    static void collect(Context ctx, Tensor gradOutput, Set<Tensor> params, List<SampleGrad> out) {
        Tensor weight = ctx.in(1), bias = ctx.in(2);
        boolean wantW = weight != null && params.contains(weight), wantB = bias != null && params.contains(bias);
        if (!wantW && !wantB) return;
        Tensor xc = ctx.saved(0);
        float[] mean = ctx.saved(1), invStd = ctx.saved(2), x = xc.contiguousData(), g = gradOutput.contiguousData();
        int d = (weight != null ? weight : bias).numel(), rows = mean.length;
        int batch = xc.dim() > 1 ? xc.size(0) : 1, steps = batch == 0 ? 0 : rows / batch;
        float[] gw = new float[batch * d], gb = new float[batch * d];
        for (int r = 0; r < rows; r++) {
            int base = (r / steps) * d, o = r * d;
            float mu = mean[r], is = invStd[r];
            for (int k = 0; k < d; k++) {
                gw[base + k] += g[o + k] * ((x[o + k] - mu) * is);
                gb[base + k] += g[o + k];
            }
        }
        if (wantW) out.add(new SampleGrad.Materialized(weight, batch, gw));
        if (wantB) out.add(new SampleGrad.Materialized(bias, batch, gb));
    }
}
