package gradus.privacy;

import gradus.autograd.Context;
import gradus.autograd.ConvOps;
import gradus.kernels.Gemm;
import gradus.kernels.Im2col;
import gradus.kernels.Parallel;
import gradus.tensor.Tensor;

import java.util.List;
import java.util.Set;

/**
 * Per-sample gradients of a 2-d convolution: sample i's weight gradient is G_i·U_iᵀ, its output gradient
 * [O, P] (masked by the fused ReLU) times its unfolded input [C·kh·kw, P], one GEMM per sample run in parallel;
 * the bias gradient is G_i's row sums. These [O, C·kh·kw] blocks are small next to the activations, so they
 * are formed (Opacus's unfold rule); Gram matrices would cost P² per sample.
 */
final class ConvSamples {
    private ConvSamples() {}

    static void collect(ConvOps.Conv2d op, Context ctx, Tensor gradOutput, Set<Tensor> params, List<SampleGrad> out) {
        Tensor w = ctx.in(1), b = ctx.in(2);
        boolean wantW = params.contains(w), wantB = b != null && params.contains(b);
        if (!wantW && !wantB) return;
        Tensor[] xo = op.inputAndOutput(ctx);
        float[] x = xo[0].contiguousData(), y = op.relu() ? xo[1].data() : null, g = gradOutput.contiguousData();
        Im2col.Geometry geo = op.g();
        int batch = xo[0].size(0), outC = w.size(0), k = geo.patch(), p = geo.positions(), image = geo.channels() * geo.height() * geo.width();
        float[] gw = wantW ? new float[batch * outC * k] : null, gb = wantB ? new float[batch * outC] : null;
        Parallel.forRange(batch, 1, (i0, i1) -> {
            float[] col = new float[k * p], gm = new float[outC * p];
            for (int i = i0; i < i1; i++) {
                int go = i * outC * p;
                if (y == null) System.arraycopy(g, go, gm, 0, gm.length);
                else for (int j = 0; j < gm.length; j++) gm[j] = y[go + j] > 0f ? g[go + j] : 0f;
                if (gw != null) {
                    Im2col.im2col(geo, x, i * image, col);
                    Gemm.sgemm(false, true, outC, k, p, 1f, gm, 0, p, col, 0, p, 0f, gw, i * outC * k, k);
                }
                if (gb != null) {
                    for (int o = 0; o < outC; o++) {
                        float s = 0f;
                        for (int j = o * p, end = j + p; j < end; j++) s += gm[j];
                        gb[i * outC + o] = s;
                    }
                }
            }
        });
        if (wantW) out.add(new SampleGrad.Materialized(w, batch, gw));
        if (wantB) out.add(new SampleGrad.Materialized(b, batch, gb));
    }
}
