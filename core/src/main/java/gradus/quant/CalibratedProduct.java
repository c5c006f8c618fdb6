package gradus.quant;

import gradus.kernels.Int8Gemm;
import gradus.kernels.Int8Panels;
import gradus.kernels.Int8Weight;

/**
 * The product of static int8: inputs quantized with calibrated, fixed {@link QParams} (no per-call range scan),
 * weights int8 per output channel (symmetric, scale = max|row|/127), int8 × int8 → int32, then
 * y = s_x·s_w[j]·(Σ q_x·q_w − z_x·Σ q_w) + b[j] (the zero point's term folded in from the weight's row sums).
 */
final class CalibratedProduct {
    final Int8Weight weight;
    final QParams input;
    final float[] bias;
    private final int[] zeroPointTerms;

    CalibratedProduct(Int8Weight weight, QParams input, float[] bias) {
        if (bias != null && bias.length != weight.outFeatures()) {
            throw new IllegalArgumentException("bias of " + bias.length + " values for a weight of " + weight.outFeatures() + " outputs");
        }
        this.weight = weight;
        this.input = input;
        this.bias = bias;
        Int8Panels panels = weight.panels();
        zeroPointTerms = new int[weight.outFeatures()];
        for (int j = 0; j < zeroPointTerms.length; j++) zeroPointTerms[j] = input.zeroPoint() * panels.rowSum(j);
    }

    /** {@code n} floats of {@code x} from {@code off} as int8 with the calibrated parameters. */
    void quantize(float[] x, int off, int n, byte[] out, int at) {
        for (int i = 0; i < n; i++) out[at + i] = input.quantize(x[off + i]);
    }

    /** y [m, out] (rows {@code ldy} apart) = dequantized (xq [m, in] · Wᵀ) + b, max(0, ·) when {@code relu}. */
    void multiply(int m, byte[] xq, boolean relu, float[] y, int ldy) {
        int in = weight.inFeatures();
        float[] ws = weight.scales();
        float sx = input.scale();
        Int8Gemm.multiply(m, Int8Gemm.packRows(m, in, xq, 0, in), weight.panels(), (i0, rows, j0, cols, c) -> {
            for (int r = 0; r < rows; r++) {
                int from = r * Int8Gemm.PANEL, at = (i0 + r) * ldy + j0;
                for (int j = 0; j < cols; j++) c[from + j] -= zeroPointTerms[j0 + j];
                Int8Weight.rescale(c, from, cols, sx, ws, bias, j0, y, at);
                if (relu) for (int j = 0; j < cols; j++) y[at + j] = Math.max(0f, y[at + j]);
            }
        });
    }
}
