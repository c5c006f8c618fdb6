package gradus.nn;

import gradus.autograd.ConvOps;
import gradus.autograd.Ops;
import gradus.kernels.Im2col;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Image ops built on the primitives (argument checks name the shapes): grouped convolution, transposed
 * convolution, resizing, group normalization and global average pooling, over x [N, C, H, W].
 */
final class Spatial {
    private Spatial() {}

    /** Each of {@code groups} channel groups convolved with its own slice of weight [O, C/groups, kh, kw]. */
    static Tensor groupedConv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, boolean relu, int groups) {
        int[] xs = x.shape(), ws = weight.shape();
        if (x.dim() != 4 || weight.dim() != 4 || xs[1] != ws[1] * groups || ws[0] % groups != 0) {
            throw new IllegalArgumentException("conv2d with " + groups + " groups and weight of shape " + Shape.str(ws)
                    + " expects input [N, " + ws[1] * groups + ", H, W] and output channels divisible by " + groups + ", got input of shape " + Shape.str(xs));
        }
        int ci = ws[1], co = ws[0] / groups;
        List<Tensor> parts = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            parts.add(F.conv2d(x.narrow(1, g * ci, ci), weight.narrow(0, g * co, co), bias == null ? null : bias.narrow(0, g * co, co),
                    stride, padding, dilation, relu));
        }
        return Tensor.concat(parts, 1);
    }

    static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation) {
        int[] xs = x.shape(), ws = weight.shape();
        if (x.dim() != 4 || weight.dim() != 4 || xs[1] != ws[0]) {
            throw new IllegalArgumentException("convTranspose2d with weight [in, out, kh, kw] of shape " + Shape.str(ws)
                    + " expects input [N, " + (weight.dim() == 4 ? ws[0] : "in") + ", H, W], got shape " + Shape.str(xs));
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[1])) {
            throw new IllegalArgumentException("convTranspose2d bias must have shape [" + ws[1] + "], got " + Shape.str(bias.shape()));
        }
        int[] s = F.pair("stride", stride, 1), p = F.pair("padding", padding, 0), op = F.pair("output_padding", outputPadding, 0),
                d = F.pair("dilation", dilation, 1);
        if (op[0] >= Math.max(s[0], d[0]) || op[1] >= Math.max(s[1], d[1])) {
            throw new IllegalArgumentException("convTranspose2d output_padding " + Shape.str(op) + " must be smaller than the stride "
                    + Shape.str(s) + " or the dilation " + Shape.str(d));
        }
        int oh = (xs[2] - 1) * s[0] - 2 * p[0] + d[0] * (ws[2] - 1) + op[0] + 1;
        int ow = (xs[3] - 1) * s[1] - 2 * p[1] + d[1] * (ws[3] - 1) + op[1] + 1;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("convTranspose2d of input " + Shape.str(xs) + " with weight " + Shape.str(ws)
                    + " and padding " + Shape.str(p) + " has no output pixels");
        }
        var g = new Im2col.Geometry(ws[1], oh, ow, ws[2], ws[3], s[0], s[1], p[0], p[1], d[0], d[1]);
        return Ops.apply(new ConvOps.ConvTranspose2d(g, op[0], op[1]), x, weight, bias);
    }

    /** PyTorch's nearest: output pixel i reads input pixel ⌊i·in/out⌋. */
    static Tensor upsampleNearest(Tensor x, int outH, int outW) {
        checkImage("upsample", x, outH, outW);
        return x.indexSelect(2, nearest(x.size(2), outH)).indexSelect(3, nearest(x.size(3), outW));
    }

    /** Separable linear interpolation as two products with fixed [out, in] matrices: Aₕ·x·A_wᵀ. */
    static Tensor upsampleBilinear(Tensor x, int outH, int outW, boolean alignCorners) {
        checkImage("upsample", x, outH, outW);
        Tensor ah = interpolation(x.size(2), outH, alignCorners).to(x.dtype()), aw = interpolation(x.size(3), outW, alignCorners).to(x.dtype());
        return ah.matmul(x.matmul(aw.t()));
    }

    private static void checkImage(String what, Tensor x, int outH, int outW) {
        if (x.dim() != 4) throw new IllegalArgumentException(what + " expects input [N, C, H, W], got shape " + Shape.str(x.shape()));
        if (outH < 1 || outW < 1) throw new IllegalArgumentException(what + " output size must be positive, got [" + outH + ", " + outW + "]");
    }

    private static IntTensor nearest(int in, int out) {
        int[] v = new int[out];
        for (int i = 0; i < out; i++) v[i] = Math.min(in - 1, (int) Math.floor(i * ((double) in / out)));
        return IntTensor.of(v, out);
    }

    /** Row i holds the two weights of output i on its neighbouring inputs (PyTorch's source-index rule). */
    static Tensor interpolation(int in, int out, boolean alignCorners) {
        float[] a = new float[out * in];
        for (int i = 0; i < out; i++) {
            double src = alignCorners ? (out > 1 ? i * (in - 1.0) / (out - 1) : 0) : Math.max(0, (i + 0.5) * in / out - 0.5);
            int i0 = Math.min((int) Math.floor(src), in - 1), i1 = Math.min(i0 + 1, in - 1);
            double t = src - i0;
            a[i * in + i0] += (float) (1 - t);
            a[i * in + i1] += (float) t;
        }
        return Tensor.of(a, out, in);
    }

    /** Normalizes each of {@code groups} channel groups of x [N, C, *] over its channels and positions, then scales and shifts per channel. */
    static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps) {
        int[] xs = x.shape();
        if (x.dim() < 2 || xs[1] % groups != 0) {
            throw new IllegalArgumentException("groupNorm with " + groups + " groups expects input [N, C, *] with C divisible by " + groups
                    + ", got shape " + Shape.str(xs));
        }
        int c = xs[1], per = x.numel() / (xs[0] * groups);
        Tensor y = F.layerNorm(x.reshape(xs[0], groups, per), new int[]{per}, null, null, eps).reshape(xs);
        int[] channel = new int[xs.length - 1];
        java.util.Arrays.fill(channel, 1);
        channel[0] = c;
        if (weight != null) y = y.mul(weight.reshape(channel));
        if (bias != null) y = y.add(bias.reshape(channel));
        return y;
    }

    /** The mean over H and W of x [N, C, H, W]: [N, C]. */
    static Tensor globalAvgPool2d(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("globalAvgPool2d expects input [N, C, H, W], got shape " + Shape.str(x.shape()));
        return x.mean(3, false).mean(2, false);
    }
}
