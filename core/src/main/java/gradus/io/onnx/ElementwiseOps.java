package gradus.io.onnx;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.UnaryOperator;

/** Elementwise operators with NumPy broadcasting: arithmetic, comparisons, Where, Cast and activations. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    static void register(Map<String, Operators.Op> ops) {
        ops.put("Add", binary(Tensor::add, Tensor::add, Long::sum));
        ops.put("Sub", binary(Tensor::sub, Tensor::sub, (a, b) -> a - b));
        ops.put("Mul", binary(Tensor::mul, Tensor::mul, (a, b) -> a * b));
        ops.put("Div", binary(Tensor::div, Tensor::div, ElementwiseOps::divide));
        ops.put("Pow", new Operators.Op(2, 2, (a, opset) -> in -> {
            broadcast(a, in[0], in[1]);
            return pow(in[0], in[1]);
        }));
        ops.put("Equal", compare(Tensor::eq, (x, y) -> x == y));
        ops.put("Greater", compare(Tensor::gt, (x, y) -> x > y));
        ops.put("GreaterOrEqual", compare(Tensor::ge, (x, y) -> x >= y));
        ops.put("Less", compare(Tensor::lt, (x, y) -> x < y));
        ops.put("LessOrEqual", compare(Tensor::le, (x, y) -> x <= y));
        ops.put("And", logical((x, y) -> x != 0 && y != 0 ? 1 : 0));
        ops.put("Or", logical((x, y) -> x != 0 || y != 0 ? 1 : 0));
        ops.put("Xor", logical((x, y) -> (x != 0) != (y != 0) ? 1 : 0));
        ops.put("Not", new Operators.Op(1, 1, (a, opset) -> in -> {
            long[] v = in[0].longs("Not's input"), out = new long[v.length];
            for (int i = 0; i < v.length; i++) out[i] = v[i] != 0 ? 0 : 1;
            return Value.ofInts(out, in[0].shape(), DataType.BOOL);
        }));
        ops.put("Max", variadic(Tensor::maximum, Math::max));
        ops.put("Min", variadic(Tensor::minimum, Math::min));
        ops.put("Clip", new Operators.Op(1, 3, (a, opset) -> {
            float lo = a.f("min", Float.NEGATIVE_INFINITY), hi = a.f("max", Float.POSITIVE_INFINITY);
            return in -> {
                float min = in.length > 1 && in[1] != null ? in[1].asFloatTensor().item() : lo;
                float max = in.length > 2 && in[2] != null ? in[2].asFloatTensor().item() : hi;
                return Value.of(in[0].tensor("Clip's input").clamp(min, max));
            };
        }));
        ops.put("Reciprocal", unary(x -> x.pow(-1f)));
        ops.put("Gelu", new Operators.Op(1, 1, (a, opset) -> {
            String approximate = a.s("approximate", "none");
            if (approximate.equals("none")) return in -> Value.of(in[0].tensor("Gelu's input").gelu());
            if (!approximate.equals("tanh")) throw new IllegalArgumentException("Gelu approximate='" + approximate + "' is not one of none, tanh");
            return in -> Value.of(tanhGelu(in[0].tensor("Gelu's input")));
        }));
        ops.put("Where", new Operators.Op(3, 3, (a, opset) -> in -> {
            a.limit().check("Where", Shape.broadcast(in[0].shape(), broadcast(a, in[1], in[2])));
            return where(in[0], in[1], in[2]);
        }));
        ops.put("Cast", new Operators.Op(1, 1, (a, opset) -> {
            if (!a.has("to")) throw new IllegalArgumentException("Cast needs attribute 'to'");
            DataType to = DataType.of(a.integer("to", 0), "Cast's 'to'");
            return in -> cast(in[0], to);
        }));
        ops.put("Sqrt", unary(Tensor::sqrt));
        ops.put("Exp", unary(Tensor::exp));
        ops.put("Log", unary(Tensor::log));
        ops.put("Tanh", unary(Tensor::tanh));
        ops.put("Relu", unary(Tensor::relu));
        ops.put("Sigmoid", unary(Tensor::sigmoid));
        ops.put("Erf", unary(Tensor::erf));
        ops.put("Neg", unary(Tensor::neg));
        ops.put("Abs", unary(Tensor::abs));
        ops.put("LeakyRelu", new Operators.Op(1, 1, (a, opset) -> {
            float alpha = a.f("alpha", 0.01f);
            return in -> Value.of(in[0].tensor("LeakyRelu's input").leakyRelu(alpha));
        }));
        ops.put("Identity", new Operators.Op(1, 1, (a, opset) -> in -> in[0]));
        // Inference-time Dropout is the identity; its optional mask output is rejected at load time.
        ops.put("Dropout", new Operators.Op(1, 3, (a, opset) -> in -> in[0]));
    }

    private static Operators.Op unary(UnaryOperator<Tensor> f) {
        return new Operators.Op(1, 1, (a, opset) -> in -> Value.of(f.apply(in[0].tensor("the input"))));
    }

    /** A tensor op with a float constant, e.g. {@code Tensor::mul}. */
    @FunctionalInterface
    private interface ScalarOp {
        Tensor apply(Tensor x, float c);
    }

    private static Operators.Op binary(BinaryOperator<Tensor> f, ScalarOp withConstant, LongBinaryOperator ints) {
        return new Operators.Op(2, 2, (a, opset) -> in -> {
            int[] shape = broadcast(a, in[0], in[1]);
            if (!in[0].isFloat() && !in[1].isFloat()) return Value.ofInts(combine(in[0], in[1], ints), shape, in[0].type());
            Tensor x = in[0].asFloatTensor(), y = in[1].asFloatTensor();
            // A constant scalar on the right (attention's 1/√d, LayerNorm's ε) takes the cheaper scalar kernel.
            if (y.numel() == 1 && !y.requiresGrad() && y.dim() <= x.dim()) return Value.of(withConstant.apply(x, y.item()));
            return Value.of(f.apply(x, y));
        });
    }

    private static long divide(long a, long b) {
        if (b == 0) throw new ArithmeticException("integer division by zero in Div");
        return a / b;
    }

    private static Value pow(Value base, Value exponent) {
        if (!base.isFloat() && !exponent.isFloat()) {
            return Value.ofInts(combine(base, exponent, (a, b) -> (long) Math.pow(a, b)), broadcastShape(base, exponent), base.type());
        }
        Tensor x = base.asFloatTensor(), e = exponent.asFloatTensor();
        // A constant scalar exponent (x² in LayerNorm) takes the cheaper path that also handles negative bases.
        if (e.numel() == 1 && !e.requiresGrad()) return Value.of(x.pow(e.toArray()[0]));
        return Value.of(x.pow(e));
    }

    /** A comparison giving BOOL: on floats through Gradus's comparison, on integers exactly. */
    private static Operators.Op compare(BinaryOperator<Tensor> floats, LongComparison ints) {
        return new Operators.Op(2, 2, (a, opset) -> in -> {
            broadcast(a, in[0], in[1]);
            if (in[0].isFloat() || in[1].isFloat()) {
                float[] r = floats.apply(in[0].asFloatTensor(), in[1].asFloatTensor()).toArray();
                long[] out = new long[r.length];
                for (int i = 0; i < r.length; i++) out[i] = r[i] != 0f ? 1 : 0;
                return Value.ofInts(out, broadcastShape(in[0], in[1]), DataType.BOOL);
            }
            return Value.ofInts(combine(in[0], in[1], (x, y) -> ints.test(x, y) ? 1 : 0), broadcastShape(in[0], in[1]), DataType.BOOL);
        });
    }

    @FunctionalInterface
    private interface LongComparison {
        boolean test(long a, long b);
    }

    private static Operators.Op logical(LongBinaryOperator f) {
        return new Operators.Op(2, 2, (a, opset) -> in -> Value.ofInts(combine(in[0], in[1], f), broadcast(a, in[0], in[1]), DataType.BOOL));
    }

    /** Max and Min over any number of broadcast inputs. */
    private static Operators.Op variadic(BinaryOperator<Tensor> floats, LongBinaryOperator ints) {
        return new Operators.Op(1, Integer.MAX_VALUE, (a, opset) -> in -> {
            Value acc = in[0];
            for (int i = 1; i < in.length; i++) {
                Value b = in[i];
                broadcast(a, acc, b);
                acc = !acc.isFloat() && !b.isFloat()
                        ? Value.ofInts(combine(acc, b, ints), broadcastShape(acc, b), acc.type())
                        : Value.of(floats.apply(acc.asFloatTensor(), b.asFloatTensor()));
            }
            return acc;
        });
    }

    /** gelu with the tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    private static Tensor tanhGelu(Tensor x) {
        Tensor inner = x.add(x.pow(3f).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI));
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }

    private static Value where(Value cond, Value a, Value b) {
        if (a.isFloat() || b.isFloat()) return Value.of(Tensor.where(cond.asFloatTensor(), a.asFloatTensor(), b.asFloatTensor()));
        int[] shape = Shape.broadcast(cond.shape(), broadcastShape(a, b));
        long[] c = expand(cond, shape), x = expand(a, shape), y = expand(b, shape);
        long[] out = new long[c.length];
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0 ? x[i] : y[i];
        return Value.ofInts(out, shape, a.type());
    }

    private static Value cast(Value v, DataType to) {
        if (to.isFloat()) return v.isFloat() ? v : Value.of(v.asFloatTensor());
        long[] out;
        if (v.isFloat()) {
            float[] f = v.tensor("Cast's input").toArray();
            out = new long[f.length];
            // Float to integer truncates toward zero, as ONNX Runtime does.
            for (int i = 0; i < f.length; i++) out[i] = to == DataType.BOOL ? (f[i] != 0f ? 1 : 0) : (long) f[i];
        } else {
            long[] src = v.longs("Cast's input");
            out = new long[src.length];
            for (int i = 0; i < src.length; i++) out[i] = to == DataType.BOOL ? (src[i] != 0 ? 1 : 0) : src[i];
        }
        return Value.ofInts(out, v.shape(), to);
    }

    /** The shape {@code x} and {@code y} broadcast to, checked against the model's element limit. */
    private static int[] broadcast(Attributes a, Value x, Value y) {
        int[] shape = broadcastShape(x, y);
        a.limit().check("broadcasting " + Shape.str(x.shape()) + " with " + Shape.str(y.shape()), shape);
        return shape;
    }

    static int[] broadcastShape(Value a, Value b) {
        return Shape.broadcast(a.shape(), b.shape());
    }

    /** f over two integer values broadcast together. */
    private static long[] combine(Value a, Value b, LongBinaryOperator f) {
        int[] shape = broadcastShape(a, b);
        long[] x = expand(a, shape), y = expand(b, shape);
        long[] out = new long[x.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsLong(x[i], y[i]);
        return out;
    }

    /** An integer value's data broadcast to {@code shape}, row-major. */
    private static long[] expand(Value v, int[] shape) {
        return v.pick(v.positions().expand(shape));
    }
}
