package gradus.autograd;

import gradus.autograd.ElementwiseOps.UnaryFn;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Matrix products: matmul, and the one linear node of every layer. */
public final class LinalgOps {
    private LinalgOps() {}

    /** Product of two tensors of rank ≥ 2 with broadcast batch dimensions (1-d promotion is done by the caller). */
    public record MatMul() implements Op {
        public static void check(Tensor a, Tensor b) {
            if (a.dim() == 0 || b.dim() == 0) {
                throw new IllegalArgumentException("matmul needs tensors of rank >= 1, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
            }
            int k = a.size(-1), k2 = b.size(b.dim() == 1 ? 0 : -2);
            if (k != k2) {
                throw new IllegalArgumentException("matmul shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                        + " do not match: " + k + " columns vs " + k2 + " rows");
            }
        }

        public String name() { return "matmul"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().matmul(ctx.in(0), ctx.in(1));
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor a = ctx.in(0), b = ctx.in(1);
            return new Tensor[]{
                    ctx.needsGrad(0) ? g.matmul(b.transpose(-1, -2)).sumTo(a.shape()) : null,
                    ctx.needsGrad(1) ? a.transpose(-1, -2).matmul(g).sumTo(b.shape()) : null};
        }
    }

    /** What a linear node applies after its bias, in the same node. */
    public enum Activation {
        NONE(null), RELU(UnaryFn.RELU), GELU(UnaryFn.GELU);

        final UnaryFn fn;

        Activation(UnaryFn fn) {
            this.fn = fn;
        }
    }

    /**
     * act(x·Wᵀ + b) over the last dimension of x [..., in]: all leading dimensions are the rows of one GEMM, the
     * bias is written into the output before the product, and backward is two GEMMs and one column sum.
     * Several weights [out_i, in] (attention's q, k, v) stack into one product whose output is [..., Σ out_i].
     * Inputs: x, the {@code weights} weights, then as many biases when {@code bias}.
     */
    public record Linear(int weights, boolean bias, Activation activation) implements Fused {

        /** Validates shapes (the errors name both) and runs the op. {@code biases} is null or one per weight. */
        public static Tensor apply(Tensor x, List<Tensor> weights, List<Tensor> biases, Activation activation) {
            for (Tensor w : weights) {
                if (w.dim() != 2) throw new IllegalArgumentException("linear expects weight [out, in], got shape " + Shape.str(w.shape()));
                int in = w.size(1);
                if (x.dim() < 1 || x.size(-1) != in) {
                    throw new IllegalArgumentException("linear with weight of shape " + Shape.str(w.shape()) + " expects input [..., " + in
                            + "], got shape " + Shape.str(x.shape()));
                }
            }
            if (biases != null) {
                if (biases.size() != weights.size()) {
                    throw new IllegalArgumentException("linear got " + weights.size() + " weights but " + biases.size() + " biases");
                }
                for (int i = 0; i < weights.size(); i++) {
                    Tensor b = biases.get(i);
                    int out = weights.get(i).size(0);
                    if (b.dim() != 1 || b.size(0) != out) {
                        throw new IllegalArgumentException("linear bias must have shape [" + out + "], got " + Shape.str(b.shape()));
                    }
                }
            }
            List<Tensor> inputs = new ArrayList<>(1 + 2 * weights.size());
            inputs.add(x);
            inputs.addAll(weights);
            if (biases != null) inputs.addAll(biases);
            return Ops.apply(new Linear(weights.size(), biases != null, activation), inputs.toArray(new Tensor[0]));
        }

        public String name() { return activation == Activation.NONE ? "linear" : "linear" + activation.fn.name().charAt(0) + activation.fn.name().substring(1).toLowerCase(); }

        public Tensor forward(Context ctx) {
            Backend be = ctx.backend();
            Tensor x = ctx.in(0);
            int in = x.size(-1), rows = in == 0 ? 0 : x.numel() / in;
            Tensor x2 = x.contiguous().reshape(rows, in);
            Tensor w = stack(ctx, 1, 0);
            Tensor y = be.linear(x2, w, bias ? stack(ctx, 1 + weights, 0) : null);
            Tensor pre = null;
            if (activation != Activation.NONE) {
                pre = y;
                y = be.unary(activation.fn, pre);
            }
            if (ctx.recording()) ctx.save(x2, w, pre, y);
            int[] shape = x.shape();
            shape[shape.length - 1] = w.size(0);
            return y.reshape(shape);
        }

        /** Inputs first..first+weights-1 as one contiguous tensor along dim 0. */
        private Tensor stack(Context ctx, int first, int dim) {
            if (weights == 1) return ctx.in(first).contiguous();
            List<Tensor> parts = new ArrayList<>(weights);
            for (int i = 0; i < weights; i++) parts.add(ctx.in(first + i).contiguous());
            return ctx.backend().concat(parts, dim);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Backend be = ctx.backend();
            Tensor x2 = ctx.saved(0), w = ctx.saved(1), pre = ctx.saved(2), y = ctx.saved(3);
            int rows = x2.size(0), out = w.size(0);
            Tensor g2 = g.contiguous().reshape(rows, out);
            if (activation != Activation.NONE) g2 = be.unaryGrad(activation.fn, g2, pre, y);
            Tensor[] grads = new Tensor[ctx.arity()];
            if (ctx.needsGrad(0)) grads[0] = be.linearGradInput(g2, w).reshape(ctx.in(0).shape());
            if (anyNeedsGrad(ctx, 1)) split(be.linearGradWeight(g2, x2), ctx, 1, grads);
            if (bias && anyNeedsGrad(ctx, 1 + weights)) split(be.columnSums(g2), ctx, 1 + weights, grads);
            return grads;
        }

        /** The gradient before the activation as [rows, Σ out], and the input as [rows, in] (per-sample rules read both). */
        public Tensor[] rowsAndGradient(Context ctx, Tensor g) {
            Tensor x2 = ctx.saved(0), w = ctx.saved(1), pre = ctx.saved(2), y = ctx.saved(3);
            Tensor g2 = g.contiguous().reshape(x2.size(0), w.size(0));
            if (activation != Activation.NONE) g2 = ctx.backend().unaryGrad(activation.fn, g2, pre, y);
            return new Tensor[]{x2, g2.contiguous()};
        }

        private boolean anyNeedsGrad(Context ctx, int first) {
            for (int i = 0; i < weights; i++) if (ctx.needsGrad(first + i)) return true;
            return false;
        }

        /** Cuts a stacked gradient back into one per input, along dim 0. */
        private void split(Tensor stacked, Context ctx, int first, Tensor[] grads) {
            if (weights == 1) {
                grads[first] = stacked;
                return;
            }
            for (int i = 0, r = 0; i < weights; i++) {
                int n = ctx.in(first + i).size(0);
                grads[first + i] = stacked.narrow(0, r, n).contiguous();
                r += n;
            }
        }

        /** x.matmul([W…]ᵀ) + [b…], then the activation. */
        public Tensor composite(Tensor... inputs) {
            Tensor x = inputs[0];
            Tensor w = Tensor.concat(Arrays.asList(inputs).subList(1, 1 + weights), 0);
            Tensor y = x.matmul(w.t());
            if (bias) y = y.add(Tensor.concat(Arrays.asList(inputs).subList(1 + weights, 1 + 2 * weights), 0));
            return switch (activation) {
                case NONE -> y;
                case RELU -> y.relu();
                case GELU -> y.gelu();
            };
        }
    }
}
