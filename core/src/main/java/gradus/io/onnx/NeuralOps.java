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
        ops.put("MatMul", new Operators.Op(2, 2, (a, opset) ->
                in -> Value.of(matmul(in[0].tensor("MatMul's A"), in[1].tensor("MatMul's B")))));
        ops.put("Gemm", new Operators.Op(2, 3, (a, opset) -> {
            float alpha = a.f("alpha", 1f), beta = a.f("beta", 1f);
            boolean ta = a.i("transA", 0) != 0, tb = a.i("transB", 0) != 0;
            return in -> {
                Tensor x = in[0].tensor("Gemm's A"), w = in[1].tensor("Gemm's B");
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
                return Value.of(F.conv2d(x, weight, in.length > 2 && in[2] != null ? in[2].tensor("Conv's B") : null,
                        w.strides, w.pads, w.dilations));
            };
        }));
        ops.put("MaxPool", new Operators.Op(1, 1, (a, opset) -> {
            Window w = Window.of(a, "MaxPool");
            w.requireKernel("MaxPool");
            a.requireDefault("storage_order", 0, "only row-major indices");
            if (w.dilations[0] != 1 || w.dilations[1] != 1) throw new IllegalArgumentException("MaxPool with dilations is not supported");
            return in -> Value.of(F.maxPool2d(requireRank4(in[0].tensor("MaxPool's X"), "MaxPool"), w.kernel, w.strides, w.pads));
        }));
        ops.put("AveragePool", new Operators.Op(1, 1, (a, opset) -> {
            Window w = Window.of(a, "AveragePool");
            w.requireKernel("AveragePool");
            // Gradus's average pooling counts padding as zeros, which is count_include_pad=1.
            if ((w.pads[0] != 0 || w.pads[1] != 0) && a.i("count_include_pad", 0) == 0) {
                throw new IllegalArgumentException("AveragePool with padding needs count_include_pad=1");
            }
            return in -> Value.of(F.avgPool2d(requireRank4(in[0].tensor("AveragePool's X"), "AveragePool"), w.kernel, w.strides, w.pads));
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
            if (pads[0] != pads[2] || pads[1] != pads[3]) {
                throw new IllegalArgumentException(op + " with asymmetric pads " + Arrays.toString(pads) + " is not supported");
            }
            return new Window(kernel, strides, new int[]{pads[0], pads[1]}, dil);
        }

        void requireKernel(String op) {
            if (kernel == null) throw new IllegalArgumentException(op + " needs attribute kernel_shape");
        }
    }
}
