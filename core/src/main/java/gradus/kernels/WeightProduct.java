package gradus.kernels;

/**
 * A Linear weight W [out, in] held in some storage (packed float32, int8, int4, bf16…) and the product
 * {@code Y = X·Wᵀ + bias} computed from that storage directly, without a float copy of W.
 */
public interface WeightProduct {
    int outFeatures();

    int inFeatures();

    /**
     * Y = X·Wᵀ + bias for X [m, in] (rows {@code ldx} apart from {@code xOff}) into Y [m, out] (rows
     * {@code ldy} apart from {@code yOff}), overwriting it, then GELU of Y when {@code gelu}; bias may be null.
     */
    void multiply(int m, float[] x, int xOff, int ldx, float[] bias, boolean gelu, float[] y, int yOff, int ldy);

    /** GELU in place over Y's m rows of n values. */
    static void gelu(int m, float[] y, int yOff, int ldy, int n) {
        for (int r = 0; r < m; r++) GeluKernel.forward(y, yOff + r * ldy, y, yOff + r * ldy, n);
    }
}
