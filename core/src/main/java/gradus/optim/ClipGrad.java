package gradus.optim;

import gradus.kernels.VectorMath;
import gradus.tensor.Tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class ClipGrad {
    /** Partial sums are added in double every this many floats, so huge tensors keep their precision. */
    private static final int BLOCK = 1 << 12;

    private ClipGrad() {}

    /**
     * Scales the gradients of {@code params} in place so that their joint L2 norm is at most {@code maxNorm}
     * (by {@code maxNorm / (norm + 1e-6)}, like PyTorch) and returns the norm before clipping. Parameters
     * without a gradient are ignored; a non-finite norm makes every gradient non-finite, as in PyTorch.
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("maxNorm must be >= 0, got " + maxNorm);
        double sumSquares = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            boolean dense = g.isContiguous();
            float[] d = dense ? g.data() : g.toArray();
            int off = dense ? g.offset() : 0, n = g.numel();
            for (int i = 0; i < n; i += BLOCK) {
                int len = Math.min(BLOCK, n - i);
                sumSquares += VectorMath.dot(d, off + i, d, off + i, len);
            }
        }
        double total = Math.sqrt(sumSquares);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1 || Double.isNaN(coef)) {
            // A gradient tensor shared by several parameters must be scaled once.
            Set<Tensor> scaled = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null && scaled.add(g)) g.mulInPlace((float) coef);
            }
        }
        return total;
    }
}
