package gradus.autograd;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/** Sums and softmax. Max/min are argmax + gather; mean, var and logSumExp are composites of these. */
public final class ReductionOps {
    private ReductionOps() {}

    public record SumAll() implements Op {
        public String name() { return "sum"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().sumAll(ctx.in(0));
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g.expand(ctx.in(0).shape())};
        }
    }

    /** Sum along one dimension (normalized, 0 ≤ dim &lt; rank). */
    public record Sum(int dim, boolean keepDim) implements Op {
        public static Sum of(Tensor x, int dim, boolean keepDim) {
            return new Sum(Shape.dim(dim, x.dim()), keepDim);
        }

        public String name() { return "sum"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().sum(ctx.in(0), dim, keepDim);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{(keepDim ? g : g.unsqueeze(dim)).expand(ctx.in(0).shape())};
        }
    }

    /** Numerically stable softmax or log-softmax along dim (normalized). */
    public record Softmax(int dim, boolean log) implements Op {
        public static Softmax of(Tensor x, int dim, boolean log) {
            return new Softmax(Shape.dim(dim, x.dim()), log);
        }

        public String name() { return log ? "logSoftmax" : "softmax"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().softmax(ctx.in(0), dim, log);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{ctx.backend().softmaxGrad(g, ctx.output(), dim, log)};
        }
    }
}
