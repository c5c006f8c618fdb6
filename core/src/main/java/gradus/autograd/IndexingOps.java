package gradus.autograd;

import gradus.kernels.VectorMath;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/** Gather, index-select, masking, where and concatenation. Index tensors and masks are attributes, not inputs. */
public final class IndexingOps {
    private IndexingOps() {}

    /** Picks along dim with an index of the input's rank (like {@code torch.gather}). */
    public record Gather(int dim, IntTensor index) implements Op {
        public static Gather of(Tensor x, int dim, IntTensor index) {
            int d = Shape.dim(dim, x.dim());
            int[] xs = x.shape(), is = index.shape();
            if (is.length != xs.length) {
                throw new IllegalArgumentException("gather index shape " + Shape.str(is) + " must have the rank of input " + Shape.str(xs));
            }
            for (int i = 0; i < xs.length; i++) {
                if (i != d && is[i] > xs[i]) {
                    throw new IllegalArgumentException("gather index shape " + Shape.str(is) + " exceeds input " + Shape.str(xs) + " at dimension " + i);
                }
            }
            for (int v : index.data()) {
                if (v < 0 || v >= xs[d]) throw new IndexOutOfBoundsException("gather index " + v + " out of range for size " + xs[d] + " at dimension " + d);
            }
            return new Gather(d, index);
        }

        public String name() { return "gather"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().gather(ctx.in(0), dim, index);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{ctx.backend().scatterAdd(g, ctx.in(0).shape(), dim, index)};
        }
    }

    /** Whole slices along dim (like {@code torch.index_select}). */
    public record IndexSelect(int dim, IntTensor index) implements Op {
        public static IndexSelect of(Tensor x, int dim, IntTensor index) {
            int d = Shape.dim(dim, x.dim());
            int n = x.size(d);
            for (int v : index.data()) {
                if (v < 0 || v >= n) throw new IndexOutOfBoundsException("index " + v + " out of range for size " + n + " at dimension " + d);
            }
            return new IndexSelect(d, index);
        }

        public String name() { return "indexSelect"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().indexSelect(ctx.in(0), dim, index);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{ctx.backend().indexAdd(g, ctx.in(0).shape(), dim, index)};
        }
    }

    /** value where mask is non-zero, elsewhere the input; the mask is a constant. */
    public record MaskedFill(Tensor mask, float value) implements Op {
        public static MaskedFill of(Tensor x, Tensor mask, float value) {
            int[] shape = x.shape();
            int[] both;
            try {
                both = Shape.broadcast(shape, mask.shape());
            } catch (IllegalArgumentException e) {
                both = null;
            }
            if (both == null || !Arrays.equals(both, shape)) {
                throw new IllegalArgumentException("mask shape " + Shape.str(mask.shape()) + " does not broadcast to " + Shape.str(shape));
            }
            return new MaskedFill(mask.detach(), value);
        }

        public String name() { return "maskedFill"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().maskedFill(ctx.in(0), mask, value);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{ctx.backend().maskedFill(g, mask, 0f)};
        }
    }

    /** a where the condition is non-zero, else b (inputs a, b; the condition is a constant). */
    public record Where(Tensor condition) implements Op {
        public String name() { return "where"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().where(condition, ctx.in(0), ctx.in(1));
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor zero = Tensor.zeros(new int[0]).to(g.dtype());
            return new Tensor[]{
                    ctx.needsGrad(0) ? Tensor.where(condition, g, zero).sumTo(ctx.in(0).shape()) : null,
                    ctx.needsGrad(1) ? Tensor.where(condition, zero, g).sumTo(ctx.in(1).shape()) : null};
        }
    }

    /** Inputs side by side along dim (normalized); shapes checked by {@link #of}. */
    public record Concat(int dim) implements Op {
        public static Concat of(List<Tensor> tensors, int dim) {
            if (tensors.isEmpty()) throw new IllegalArgumentException("concat needs at least one tensor");
            Tensor first = tensors.get(0);
            int d = Shape.dim(dim, first.dim());
            for (Tensor t : tensors) {
                if (t.dim() != first.dim()) {
                    throw new IllegalArgumentException("concat: shapes " + Shape.str(first.shape()) + " and " + Shape.str(t.shape()) + " differ in rank");
                }
                for (int i = 0; i < t.dim(); i++) {
                    if (i != d && t.size(i) != first.size(i)) {
                        throw new IllegalArgumentException("concat along " + d + ": shapes " + Shape.str(first.shape())
                                + " and " + Shape.str(t.shape()) + " differ at dimension " + i);
                    }
                }
            }
            return new Concat(d);
        }

        public String name() { return "concat"; }

        public Tensor forward(Context ctx) {
            Tensor[] parts = new Tensor[ctx.arity()];
            for (int i = 0; i < parts.length; i++) parts[i] = ctx.in(i);
            return ctx.backend().concat(List.of(parts), dim);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor[] grads = new Tensor[ctx.arity()];
            for (int i = 0, at = 0; i < grads.length; i++) {
                int n = ctx.in(i).size(dim);
                if (ctx.needsGrad(i)) grads[i] = g.narrow(dim, at, n).contiguous();
                at += n;
            }
            return grads;
        }
    }

    /** Rows of weight [num, dim] picked by ids: shape ids.shape + [dim]. Row {@code paddingIdx} (if ≥ 0) gets no gradient. */
    public record Embedding(IntTensor ids, int paddingIdx) implements Fused {
        public String name() { return "embedding"; }

        public Tensor forward(Context ctx) {
            Tensor wc = ctx.in(0).contiguous();
            int dim = wc.size(1);
            int[] ix = ids.data();
            float[] w = wc.data(), out = new float[ix.length * dim];
            for (int i = 0; i < ix.length; i++) System.arraycopy(w, wc.offset() + ix[i] * dim, out, i * dim, dim);
            return Tensor.of(out, shape(dim));
        }

        private int[] shape(int dim) {
            int[] shape = Arrays.copyOf(ids.shape(), ids.dim() + 1);
            shape[ids.dim()] = dim;
            return shape;
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            int num = ctx.in(0).size(0), dim = ctx.in(0).size(1);
            int[] ix = ids.data();
            float[] gv = g.contiguousData(), gw = new float[num * dim];
            for (int i = 0; i < ix.length; i++) {
                if (ix[i] != paddingIdx) VectorMath.add(gw, ix[i] * dim, gv, i * dim, gw, ix[i] * dim, dim);
            }
            return new Tensor[]{Tensor.of(gw, num, dim)};
        }

        /** index-select of the rows; the padding rows pass their value but not their gradient. */
        public Tensor composite(Tensor... inputs) {
            Tensor w = inputs[0];
            IntTensor flat = ids.reshape(ids.numel());
            Tensor rows = w.indexSelect(0, flat);
            if (paddingIdx >= 0) {
                float[] pad = new float[flat.numel()];
                for (int i = 0; i < pad.length; i++) pad[i] = flat.data()[i] == paddingIdx ? 1f : 0f;
                rows = Tensor.where(Tensor.of(pad, pad.length, 1), rows.detach(), rows);
            }
            return rows.reshape(shape(w.size(1)));
        }
    }
}
