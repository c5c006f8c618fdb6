package gradus.nn;

import gradus.autograd.ConvOps;
import gradus.autograd.IndexingOps;
import gradus.autograd.LinalgOps;
import gradus.autograd.Ops;
import gradus.kernels.Im2col;
import gradus.kernels.Pool2d;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/** Stateless functions behind the layers (PyTorch's {@code torch.nn.functional}). */
public final class F {
    private F() {}

    /**
     * x·Wᵀ + b over the last dimension of x, with W [out, in] and b [out] (may be null): one graph node
     * ({@link LinalgOps.Linear}), the product starting from the bias, dW written straight in W's layout.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return linear(x, weight, bias, LinalgOps.Activation.NONE);
    }

    /** act(x·Wᵀ + b) as one node: the activation is the linear op's epilogue. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias, LinalgOps.Activation activation) {
        return LinalgOps.Linear.apply(x, List.of(weight), bias == null ? null : List.of(bias), activation);
    }

    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])} with the same stride and padding in both directions. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, new int[]{stride}, new int[]{padding}, new int[]{1});
    }

    /**
     * 2-d cross-correlation of x [N, C, H, W] (or one image [C, H, W]) with weight [O, C, kh, kw]
     * plus bias [O] (may be null). stride, padding and dilation are {h, w} or one value for both.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        return conv2d(x, weight, bias, stride, padding, dilation, false);
    }

    /**
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])}, then ReLU when {@code relu}, as one operation:
     * the same values and gradients as {@code conv2d(…).relu()}, without the separate pass over the output and
     * without the two tensors (output and its gradient) that the separate ReLU needs.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, boolean relu) {
        return conv2d(x, weight, bias, stride, padding, dilation, relu, 1);
    }

    /**
     * Grouped convolution: input channels and output channels split into {@code groups} equal parts, each part
     * convolved with its own slice of weight [O, C/groups, kh, kw]; groups = C is a depthwise convolution.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, boolean relu, int groups) {
        if (x.dim() == 3) return conv2d(x.unsqueeze(0), weight, bias, stride, padding, dilation, relu, groups).squeeze(0);
        if (groups < 1) throw new IllegalArgumentException("conv2d groups must be at least 1, got " + groups);
        if (groups > 1) return Spatial.groupedConv2d(x, weight, bias, stride, padding, dilation, relu, groups);
        int[] xs = x.shape(), ws = weight.shape();
        if (x.dim() != 4) throw new IllegalArgumentException("conv2d expects input [N, C, H, W], got shape " + Shape.str(xs));
        if (weight.dim() != 4) throw new IllegalArgumentException("conv2d expects weight [out, in, kh, kw], got shape " + Shape.str(ws));
        if (xs[1] != ws[1]) {
            throw new IllegalArgumentException("conv2d with weight of shape " + Shape.str(ws) + " expects " + ws[1]
                    + " input channels, got input of shape " + Shape.str(xs));
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new IllegalArgumentException("conv2d bias must have shape [" + ws[0] + "], got " + Shape.str(bias.shape()));
        }
        int[] s = pair("stride", stride, 1), p = pair("padding", padding, 0), d = pair("dilation", dilation, 1);
        Im2col.Geometry g = new Im2col.Geometry(xs[1], xs[2], xs[3], ws[2], ws[3], s[0], s[1], p[0], p[1], d[0], d[1]);
        if (g.outH() < 1 || g.outW() < 1) {
            throw new IllegalArgumentException("conv2d input of shape " + Shape.str(xs) + " is smaller than the kernel " + Shape.str(ws)
                    + " with padding " + Shape.str(p) + " and dilation " + Shape.str(d));
        }
        return Ops.apply(new ConvOps.Conv2d(g, relu), x, weight, bias);
    }

    /**
     * Transposed convolution of x [N, Ci, H, W] with weight [Ci, Co, kh, kw] plus bias [Co] (may be null): the
     * adjoint of conv2d with the same stride, padding and dilation; output_padding adds rows and columns at the
     * bottom and right (PyTorch's ConvTranspose2d). Output [N, Co, (H−1)·s − 2p + d·(k−1) + op + 1, …].
     */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation) {
        if (x.dim() == 3) return convTranspose2d(x.unsqueeze(0), weight, bias, stride, padding, outputPadding, dilation).squeeze(0);
        return Spatial.convTranspose2d(x, weight, bias, stride, padding, outputPadding, dilation);
    }

    /** x [N, C, H, W] resized to [N, C, outH, outW] by nearest neighbour (PyTorch's mode='nearest'). */
    public static Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return Spatial.upsampleNearest(x, outH, outW);
    }

    /** x [N, C, H, W] resized to [N, C, outH, outW] by bilinear interpolation (PyTorch's mode='bilinear'). */
    public static Tensor upsampleBilinear(Tensor x, int outH, int outW, boolean alignCorners) {
        return Spatial.upsampleBilinear(x, outH, outW, alignCorners);
    }

    /** Group normalization of x [N, C, *]: statistics per sample and group of C/groups channels; weight and bias [C] may be null. */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps) {
        return Spatial.groupNorm(x, groups, weight, bias, eps);
    }

    /** The mean of x [N, C, H, W] over H and W: [N, C]. */
    public static Tensor globalAvgPool2d(Tensor x) {
        return Spatial.globalAvgPool2d(x);
    }

    /** Max over kernel windows of x [N, C, H, W]; padding counts as -∞; the gradient goes to each window's maximum. */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        if (x.dim() == 3) return maxPool2d(x.unsqueeze(0), kernel, stride, padding).squeeze(0);
        Pool2d.Window w = Pool2d.Window.of("maxPool2d", x.shape(), pair("kernel", kernel, 1), pair("stride", stride, 1), pair("padding", padding, 0));
        return Ops.apply(new ConvOps.MaxPool2d(w), x);
    }

    /** Mean over kernel windows of x [N, C, H, W]; padding counts as zeros in the mean (PyTorch's count_include_pad). */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        if (x.dim() == 3) return avgPool2d(x.unsqueeze(0), kernel, stride, padding).squeeze(0);
        Pool2d.Window w = Pool2d.Window.of("avgPool2d", x.shape(), pair("kernel", kernel, 1), pair("stride", stride, 1), pair("padding", padding, 0));
        return Ops.apply(new ConvOps.AvgPool2d(w), x);
    }

    /**
     * Batch normalization of x [N, C, *] per channel C. In training, normalizes with the batch
     * statistics (biased variance) and, when the running tensors are given, moves them towards the
     * batch mean and unbiased variance by {@code momentum}; otherwise normalizes with the running
     * statistics. weight and bias [C] may be null.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, float momentum, float eps) {
        return Normalization.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** Normalizes over the trailing dimensions {@code normalizedShape}, then scales and shifts (weight and bias may be null). */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        return Normalization.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /** Inverted dropout: zeroes each value with probability p and scales the rest by 1/(1-p); identity when not training. */
    public static Tensor dropout(Tensor x, float p, boolean training, Rng rng) {
        if (p < 0f || p > 1f) throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        if (!training || p == 0f) return x;
        float[] mask = new float[x.numel()];
        rng.uniform(mask, 0f, 1f);
        float keep = p == 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < mask.length; i++) mask[i] = mask[i] < p ? 0f : keep;
        return x.mul(Tensor.of(mask, x.shape()));
    }

    /** Rows of {@code weight} [num, dim] picked by {@code ids}: shape ids.shape + [dim]. Row {@code paddingIdx} (if ≥ 0) gets no gradient. */
    public static Tensor embedding(IntTensor ids, Tensor weight, int paddingIdx) {
        if (weight.dim() != 2) throw new IllegalArgumentException("embedding weight must be [num, dim], got " + Shape.str(weight.shape()));
        int num = weight.size(0), dim = weight.size(1);
        int[] ix = ids.data();
        checkTokenIds(ix, num);
        return Ops.apply(new IndexingOps.Embedding(ids, paddingIdx), weight);
    }

    /** Throws when an id does not name one of an embedding table's {@code rows}. */
    public static void checkTokenIds(int[] ids, int rows) {
        for (int v : ids) {
            if (v < 0 || v >= rows) throw new IndexOutOfBoundsException("token id " + v + " out of range for an embedding of " + rows + " rows");
        }
    }

    /** Exact (erf) GELU, {@link Tensor#gelu()}. */
    public static Tensor gelu(Tensor x) {
        return x.gelu();
    }

    /**
     * softmax(q·kᵀ/√d)·v for q [B, H, Tq, d], k [B, H, Tk, d], v [B, H, Tk, dv] → [B, H, Tq, dv], as one
     * operation (see {@link ScaledDotProductAttention}). causal: query i sees keys up to i + Tk − Tq;
     * padding (may be null) hides keys per batch row.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, boolean causal, KeyPadding padding) {
        return ScaledDotProductAttention.apply(q, k, v, causal, padding, 0f, null, false).output();
    }

    /** A size given as one value for both spatial directions or as {h, w}. */
    static int[] pair(String what, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException(what + " must be one value or two (h, w), got " + Arrays.toString(v));
        }
        int[] out = v.length == 1 ? new int[]{v[0], v[0]} : v.clone();
        if (out[0] < min || out[1] < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", got " + Shape.str(out));
        }
        return out;
    }
}
