package gradus.quant;

/**
 * Affine int8 quantization of one tensor: q = clamp(round(x / scale) + zeroPoint, −128, 127), x ≈ scale·(q − zeroPoint)
 * (PyTorch's qint8 per-tensor affine; rounding half to even as torch.round).
 */
public record QParams(float scale, int zeroPoint) {
    public static final int QMIN = -128, QMAX = 127;

    public QParams {
        if (!(scale > 0) || !Float.isFinite(scale)) throw new IllegalArgumentException("a quantization scale must be positive and finite, got " + scale);
        if (zeroPoint < QMIN || zeroPoint > QMAX) throw new IllegalArgumentException("an int8 zero point lies in [−128, 127], got " + zeroPoint);
    }

    /**
     * The parameters covering [lo, hi] widened to hold 0 (so that zero padding is exact), as
     * torch.ao's {@code _calculate_qparams}: scale = (hi − lo)/255 in float32, zero point = −128 − round(lo/scale).
     */
    public static QParams ofRange(float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("observed range [" + lo + ", " + hi + "] is empty or not a number: was anything observed?");
        float min = Math.min(lo, 0f), max = Math.max(hi, 0f);
        float scale = Math.max((max - min) / (float) (QMAX - QMIN), Math.ulp(1f));
        int zp = QMIN - (int) Math.rint(min / scale);
        return new QParams(scale, Math.max(QMIN, Math.min(QMAX, zp)));
    }

    public byte quantize(float x) {
        float q = (float) Math.rint(x / scale) + zeroPoint;
        return (byte) Math.max(QMIN, Math.min(QMAX, q));
    }

    public float dequantize(byte q) {
        return scale * (q - zeroPoint);
    }

    /** x quantized and back: the value the int8 model computes with. */
    public float roundTrip(float x) {
        return dequantize(quantize(x));
    }
}
