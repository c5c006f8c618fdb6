package gradus.quant;

import gradus.kernels.Int8Gemm;
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
    private final int[] rowSums;

    CalibratedProduct(Int8Weight weight, QParams input, float[] bias) {
        if (bias != null && bias.length != weight.outFeatures()) {
            throw new IllegalArgumentException("bias of " + bias.length + " values for a weight of " + weight.outFeatures() + " outputs");
        }
        this.weight = weight;
        this.input = input;
        this.bias = bias;
        int in = weight.inFeatures();
        byte[] q = weight.values();
        rowSums = new int[weight.outFeatures()];
        for (int j = 0; j < rowSums.length; j++) for (int p = 0; p < in; p++) rowSums[j] += q[j * in + p];
    }

    /** {@code n} floats of {@code x} from {@code off} as int8 with the calibrated parameters. */
    void quantize(float[] x, int off, int n, byte[] out, int at) {
        for (int i = 0; i < n; i++) out[at + i] = input.quantize(x[off + i]);
    }

    /** Receives y[i][j]. */
    interface Out {
        void put(int i, int j, float value);
    }

    /** y = dequantized (xq [m, in] · Wᵀ) + b, each element handed to {@code out}, max(0, ·) when {@code relu}. */
    void multiply(int m, byte[] xq, boolean relu, Out out) {
        int in = weight.inFeatures(), zp = input.zeroPoint();
        float[] ws = weight.scales();
        float sx = input.scale();
        Int8Gemm.multiply(m, weight.outFeatures(), in, xq, in, weight.values(), in, (i, j, v) -> {
            float y = sx * ws[j] * (v - zp * rowSums[j]) + (bias == null ? 0f : bias[j]);
            out.put(i, j, relu ? Math.max(0f, y) : y);
        });
    }
}
