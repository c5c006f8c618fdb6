package gradus.autograd;

import gradus.kernels.Erf;
import gradus.tensor.Tensor;

/** Elementwise arithmetic and math with NumPy broadcasting. */
public final class ElementwiseOps {
    private ElementwiseOps() {}

    // Backward runs under no-grad (the engine's scope): the ops it calls record nothing.

    public enum BinaryFn { ADD, SUB, MUL, DIV, MAX, MIN, POW }

    public enum Cmp {
        EQ, NE, GT, GE, LT, LE;

        /** Whether {@code x cmp y} holds; floats widen exactly, so both backends share it. */
        public boolean holds(double x, double y) {
            return switch (this) {
                case EQ -> x == y;
                case NE -> x != y;
                case GT -> x > y;
                case GE -> x >= y;
                case LT -> x < y;
                case LE -> x <= y;
            };
        }
    }

    /** Unary functions, with their double-precision definition and derivative (the reference). */
    public enum UnaryFn {
        EXP, LOG, SQRT, ABS, TANH, SIGMOID, RELU, GELU, SILU, SIN, COS, ERF;

        public double apply(double x) {
            return switch (this) {
                case EXP -> Math.exp(x);
                case LOG -> Math.log(x);
                case SQRT -> Math.sqrt(x);
                case ABS -> Math.abs(x);
                case TANH -> Math.tanh(x);
                case SIGMOID -> sigmoid(x);
                case RELU -> x > 0 ? x : 0;
                case GELU -> x * Erf.normalCdf(x);
                case SILU -> x * sigmoid(x);
                case SIN -> Math.sin(x);
                case COS -> Math.cos(x);
                case ERF -> Erf.erf(x);
            };
        }

        /** d fn / dx at x, given y = fn(x). */
        public double derivative(double x, double y) {
            return switch (this) {
                case EXP -> y;
                case LOG -> 1 / x;
                case SQRT -> 0.5 / y;
                case ABS -> Math.signum(x);
                case TANH -> 1 - y * y;
                case SIGMOID -> y * (1 - y);
                case RELU -> x > 0 ? 1 : 0;
                case GELU -> Erf.normalCdf(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
                case SILU -> { double s = sigmoid(x); yield s + x * s * (1 - s); }
                case SIN -> Math.cos(x);
                case COS -> -Math.sin(x);
                case ERF -> Erf.derivative(x);
            };
        }

        /** Split on the sign so exp never overflows. */
        static double sigmoid(double v) {
            if (v >= 0) return 1.0 / (1.0 + Math.exp(-v));
            double e = Math.exp(v);
            return e / (1.0 + e);
        }
    }

    /** a fn b, broadcast. Ties of MAX/MIN send the gradient to a, like taking a branch. */
    public record Binary(BinaryFn fn) implements Op {
        public String name() { return fn.name().toLowerCase(); }

        public Tensor forward(Context ctx) {
            return ctx.backend().binary(fn, ctx.in(0), ctx.in(1));
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor a = ctx.in(0), b = ctx.in(1), y = ctx.output();
            int[] as = a.shape(), bs = b.shape();
            boolean ga = ctx.needsGrad(0), gb = ctx.needsGrad(1);
            return switch (fn) {
                case ADD -> new Tensor[]{ga ? g.sumTo(as) : null, gb ? g.sumTo(bs) : null};
                case SUB -> new Tensor[]{ga ? g.sumTo(as) : null, gb ? g.neg().sumTo(bs) : null};
                case MUL -> new Tensor[]{ga ? g.mul(b).sumTo(as) : null, gb ? g.mul(a).sumTo(bs) : null};
                case DIV -> new Tensor[]{ga ? g.div(b).sumTo(as) : null, gb ? g.mul(y).div(b).neg().sumTo(bs) : null};
                case MAX, MIN -> {
                    Tensor pickA = fn == BinaryFn.MAX ? a.ge(b) : a.le(b);
                    yield new Tensor[]{ga ? g.mul(pickA).sumTo(as) : null, gb ? g.mul(pickA.neg().add(1f)).sumTo(bs) : null};
                }
                case POW -> new Tensor[]{ga ? g.mul(b).mul(a.pow(b.sub(1f))).sumTo(as) : null,
                        gb ? g.mul(y).mul(a.log()).sumTo(bs) : null};
            };
        }
    }

    public record Unary(UnaryFn fn) implements Op {
        public String name() { return fn.name().toLowerCase(); }

        public Tensor forward(Context ctx) {
            return ctx.backend().unary(fn, ctx.in(0));
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{ctx.backend().unaryGrad(fn, g, ctx.in(0), ctx.output())};
        }
    }

    /** x·scale + shift in one pass (scalar add, multiply, negate, divide). */
    public record Affine(float scale, float shift) implements Op {
        public String name() { return scale == 1f ? "addScalar" : "mulScalar"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().affine(ctx.in(0), scale, shift);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{scale == 1f ? g : g.mul(scale)};
        }
    }

    /** x^p for a constant exponent. */
    public record PowScalar(float p) implements Op {
        public String name() { return "pow"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().pow(ctx.in(0), p);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g.mul(ctx.in(0).pow(p - 1f)).mul(p)};
        }
    }

    public record LeakyRelu(float slope) implements Op {
        public String name() { return "leakyRelu"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().leakyRelu(ctx.in(0), slope);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{Tensor.where(ctx.in(0).gt(0f), g, g.mul(slope))};
        }
    }

    /** min(max(x, min), max); no gradient outside [min, max]. */
    public record Clamp(float min, float max) implements Op {
        public String name() { return "clamp"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().clamp(ctx.in(0), min, max);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor x = ctx.in(0);
            return new Tensor[]{g.mul(x.ge(Tensor.scalar(min)).mul(x.le(Tensor.scalar(max))))};
        }
    }
}
