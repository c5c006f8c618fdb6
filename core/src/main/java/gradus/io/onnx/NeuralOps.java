package gradus.io.onnx;

import gradus.nn.F;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/** Products, reductions, normalizations, convolution and pooling. */
final class NeuralOps {
    private NeuralOps() {}

    static void register(Map<String, Operators.Op> ops) {
        ops.put("MatMul", new Operators.Op(2, 2, (a, opset) -> in -> {
            Tensor x = in[0].tensor("MatMul's A"), w = in[1].tensor("MatMul's B");
            checkProduct(a.limit(), "MatMul", x.shape(), w.shape());
            return Value.of(matmul(x, w));
        }));
        ops.put("Gemm", new Operators.Op(2, 3, (a, opset) -> {
            float alpha = a.f("alpha", 1f), beta = a.f("beta", 1f);
            boolean ta = a.i("transA", 0) != 0, tb = a.i("transB", 0) != 0;
            return in -> {
                Tensor x = in[0].tensor("Gemm's A"), w = in[1].tensor("Gemm's B");
                checkProduct(a.limit(), "Gemm", (ta ? x.t() : x).shape(), (tb ? w.t() : w).shape());
                Tensor y = (ta ? x.t() : x).matmul(tb ? w.t() : w);
                if (alpha != 1f) y = y.mul(alpha);
                if (in.length > 2 && in[2] != null) {
                    Tensor c = in[2].asFloatTensor();
                    y = y.add(beta == 1f ? c : c.mul(beta));
                }
                return Value.of(y);
            };
        }));
        ops.put("Softmax", new Operators.Op(1, 1, (a, opset) -> {
            int axis = a.integer("axis", opset < 13 ? 1 : -1);
            return in -> Value.of(softmax(in[0].tensor("Softmax's input"), axis, opset < 13));
        }));
        ops.put("ReduceMean", reduce((x, d, keep) -> x.mean(d, keep)));
        ops.put("ReduceSum", reduce((x, d, keep) -> x.sum(d, keep)));
        ops.put("ReduceMax", reduce((x, d, keep) -> x.max(d, keep)));
        ops.put("ReduceMin", reduce((x, d, keep) -> x.min(d, keep)));
        ops.put("LayerNormalization", new Operators.Op(2, 3, (a, opset) -> {
            int axis = a.integer("axis", -1);
            float eps = a.f("epsilon", 1e-5f);
            return in -> {
                Tensor x = in[0].tensor("LayerNormalization's X");
                int[] s = x.shape();
                int[] normalized = Arrays.copyOfRange(s, Shape.dim(axis, s.length), s.length);
                return Value.of(F.layerNorm(x, normalized, in[1].tensor("LayerNormalization's Scale"),
                        in.length > 2 && in[2] != null ? in[2].tensor("LayerNormalization's B") : null, eps));
            };
        }));
        ops.put("BatchNormalization", new Operators.Op(5, 5, (a, opset) -> {
            a.requireDefault("training_mode", 0, "imported models run batch normalization with their stored statistics");
            float eps = a.f("epsilon", 1e-5f);
            return in -> Value.of(F.batchNorm(in[0].tensor("BatchNormalization's X"), in[3].tensor("mean"), in[4].tensor("var"),
                    in[1].tensor("scale"), in[2].tensor("B"), false, 0f, eps));
        }));
        ops.put("Conv", new Operators.Op(2, 3, (a, opset) -> {
            Window w = Window.of(a, "Conv");
            a.requireDefault("group", 1, "grouped convolutions are not implemented");
            return in -> {
                Tensor x = in[0].tensor("Conv's X"), weight = in[1].tensor("Conv's W");
                requireRank4(x, "Conv");
                if (weight.dim() == 4) {
                    int[] ws = weight.shape();
                    w.checkOutput(a.limit(), "Conv", x.shape(), ws[0], ws[2], ws[3]);
                }
                return Value.of(F.conv2d(x, weight, in.length > 2 && in[2] != null ? in[2].tensor("Conv's B") : null,
                        w.strides, w.pads, w.dilations));
            };
        }));
        ops.put("MaxPool", new Operators.Op(1, 1, (a, opset) -> {
            Window w = Window.of(a, "MaxPool");
            w.requireKernel("MaxPool");
            a.requireDefault("storage_order", 0, "only row-major indices");
            if (w.dilations[0] != 1 || w.dilations[1] != 1) throw new IllegalArgumentException("MaxPool with dilations is not supported");
            return in -> {
                Tensor x = requireRank4(in[0].tensor("MaxPool's X"), "MaxPool");
                w.checkOutput(a.limit(), "MaxPool", x.shape(), x.size(1), w.kernel[0], w.kernel[1]);
                return Value.of(F.maxPool2d(x, w.kernel, w.strides, w.pads));
            };
        }));
        ops.put("AveragePool", new Operators.Op(1, 1, (a, opset) -> {
            Window w = Window.of(a, "AveragePool");
            w.requireKernel("AveragePool");
            // Gradus's average pooling counts padding as zeros, which is count_include_pad=1.
            if ((w.pads[0] != 0 || w.pads[1] != 0) && a.i("count_include_pad", 0) == 0) {
                throw new IllegalArgumentException("AveragePool with padding needs count_include_pad=1");
            }
            return in -> {
                Tensor x = requireRank4(in[0].tensor("AveragePool's X"), "AveragePool");
                w.checkOutput(a.limit(), "AveragePool", x.shape(), x.size(1), w.kernel[0], w.kernel[1]);
                return Value.of(F.avgPool2d(x, w.kernel, w.strides, w.pads));
            };
        }));
        ops.put("GlobalAveragePool", new Operators.Op(1, 1, (a, opset) -> in -> {
            Tensor x = in[0].tensor("GlobalAveragePool's X");
            for (int d = x.dim() - 1; d >= 2; d--) x = x.mean(d, true);
            return Value.of(x);
        }));
    }

    /** A batch of rows times one weight matrix runs as a single large product instead of one per batch entry. */
    static Tensor matmul(Tensor x, Tensor w) {
        if (w.dim() == 2 && x.dim() > 2 && x.isContiguous() && x.size(-1) == w.size(0)) {
            int[] s = x.shape();
            s[s.length - 1] = w.size(1);
            return x.reshape(-1, x.size(-1)).matmul(w).reshape(s);
        }
        return x.matmul(w);
    }

    /** The product of a [.., n, k] and b [.., k, m] is checked before it is computed: [batch.., n, m]. */
    private static void checkProduct(ElementLimit limit, String op, int[] a, int[] b) {
        if (a.length < 2 || b.length < 2) return; // a vector operand: the result is no larger than the other operand
        int[] batch = Shape.broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a[a.length - 2];
        out[batch.length + 1] = b[b.length - 1];
        limit.check(op + " of " + Shape.str(a) + " and " + Shape.str(b), out);
    }

    private static Tensor requireRank4(Tensor x, String op) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + " supports 2-d images [N, C, H, W] only, got shape " + Shape.str(x.shape()));
        return x;
    }

    /** Softmax along {@code axis}; before opset 13 over all dimensions from {@code axis} on, flattened. */
    static Tensor softmax(Tensor x, int axis, boolean flattenTrailing) {
        int d = Shape.dim(axis, x.dim());
        if (!flattenTrailing || d == x.dim() - 1) return x.softmax(d);
        int[] s = x.shape();
        int outer = Shape.numel(Arrays.copyOf(s, d));
        return x.reshape(outer, x.numel() / Math.max(1, outer)).softmax(1).reshape(s);
    }

    /** One reduction along one dimension. */
    @FunctionalInterface
    private interface Reduction {
        Tensor apply(Tensor x, int dim, boolean keepDim);
    }

    private static Operators.Op reduce(Reduction r) {
        return new Operators.Op(1, 2, (a, opset) -> {
            int[] attrAxes = a.ints("axes", null);
            boolean keep = a.i("keepdims", 1) != 0, noopEmpty = a.i("noop_with_empty_axes", 0) != 0;
            return in -> {
                Tensor x = in[0].tensor("the reduced input");
                int[] axes = attrAxes != null ? attrAxes : in.length > 1 && in[1] != null ? in[1].intArray("axes") : new int[0];
                if (axes.length == 0) {
                    if (noopEmpty) return in[0];
                    axes = new int[x.dim()];
                    for (int i = 0; i < axes.length; i++) axes[i] = i;
                }
                int[] sorted = new int[axes.length];
                for (int i = 0; i < axes.length; i++) sorted[i] = Shape.dim(axes[i], x.dim());
                Arrays.sort(sorted);
                // From the last axis back, so earlier axis numbers stay valid when dimensions are dropped.
                for (int i = sorted.length - 1; i >= 0; i--) x = r.apply(x, sorted[i], keep);
                return Value.of(x);
            };
        });
    }

    /** Kernel, strides, symmetric pads and dilations of a 2-d Conv or pooling node. */
    private record Window(int[] kernel, int[] strides, int[] pads, int[] dilations) {
        static Window of(Attributes a, String op) {
            String autoPad = a.s("auto_pad", "NOTSET");
            if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
                throw new IllegalArgumentException(op + " with auto_pad=" + autoPad + " is not supported (only NOTSET and VALID)");
            }
            a.requireDefault("ceil_mode", 0, "only floor rounding of the output size");
            int[] kernel = a.ints("kernel_shape", null);
            if (kernel != null && kernel.length != 2) throw new IllegalArgumentException(op + " supports 2-d windows only, got kernel_shape " + Arrays.toString(kernel));
            int[] strides = a.ints("strides", new int[]{1, 1}), dil = a.ints("dilations", new int[]{1, 1});
            int[] pads = a.ints("pads", new int[]{0, 0, 0, 0});
            if (strides.length != 2 || dil.length != 2 || pads.length != 4) {
                throw new IllegalArgumentException(op + " supports 2-d windows only: strides " + Arrays.toString(strides)
                        + ", dilations " + Arrays.toString(dil) + ", pads " + Arrays.toString(pads));
            }
            for (int i = 0; i < 2; i++) {
                if (strides[i] < 1 || dil[i] < 1 || kernel != null && kernel[i] < 1 || pads[i] < 0 || pads[i + 2] < 0) {
                    throw new IllegalArgumentException(op + " needs positive kernel_shape, strides and dilations and non-negative pads: kernel_shape "
                            + Arrays.toString(kernel) + ", strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dil)
                            + ", pads " + Arrays.toString(pads));
                }
            }
            if (pads[0] != pads[2] || pads[1] != pads[3]) {
                throw new IllegalArgumentException(op + " with asymmetric pads " + Arrays.toString(pads) + " is not supported");
            }
            return new Window(kernel, strides, new int[]{pads[0], pads[1]}, dil);
        }

        /**
         * Checks the output [N, channels, outH, outW] and, for a convolution, the unfolded input it multiplies
         * ([N·outH·outW, C·kh·kw]) against the limit: padding from the file can make both far larger than the input.
         */
        void checkOutput(ElementLimit limit, String op, int[] x, int channels, int kh, int kw) {
            long outH = outSize(x[2], kh, 0), outW = outSize(x[3], kw, 1);
            if (outH < 1 || outW < 1) return; // the kernel reports the window that does not fit
            int[] out = {x[0], channels, clamp(outH), clamp(outW)};
            limit.check(op + " of " + Shape.str(x) + " with pads " + Arrays.toString(pads), out);
            if (op.equals("Conv")) {
                long columns = Math.min((long) x[1] * kh * kw, Integer.MAX_VALUE);
                limit.check(op + "'s unfolded input", new int[]{x[0], clamp(outH), clamp(outW), (int) columns});
            }
        }

        private long outSize(int in, int k, int axis) {
            return ((long) in + 2L * pads[axis] - (long) dilations[axis] * (k - 1) - 1) / strides[axis] + 1;
        }

        private static int clamp(long v) {
            return (int) Math.min(v, Integer.MAX_VALUE);
        }

        void requireKernel(String op) {
            if (kernel == null) throw new IllegalArgumentException(op + " needs attribute kernel_shape");
        }
    }
}
