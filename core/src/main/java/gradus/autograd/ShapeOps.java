package gradus.autograd;

import gradus.tensor.DType;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;

/**
 * Views (reshape, permute, narrow, expand, squeeze, unsqueeze: new shape and strides over the same storage,
 * no copy), copies and dtype casts. Factories validate and normalize the attributes; errors name the shape.
 */
public final class ShapeOps {
    private ShapeOps() {}

    /** The same values in {@code shape}, over a contiguous input. */
    public record Reshape(int[] shape) implements Op {
        public String name() { return "reshape"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0);
            return x.asStrided(shape, Shape.contiguousStrides(shape), x.offset());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g.reshape(ctx.in(0).shape())};
        }
    }

    public record Permute(int[] dims) implements Op {
        public static Permute of(Tensor x, int... dims) {
            int[] shape = x.shape();
            if (dims.length != shape.length) {
                throw new IllegalArgumentException("permute got " + dims.length + " dimensions for shape " + Shape.str(shape));
            }
            int[] d = new int[dims.length];
            boolean[] used = new boolean[dims.length];
            for (int i = 0; i < dims.length; i++) {
                d[i] = Shape.dim(dims[i], shape.length);
                if (used[d[i]]) throw new IllegalArgumentException("permute repeats dimension " + d[i] + " in " + Arrays.toString(dims));
                used[d[i]] = true;
            }
            return new Permute(d);
        }

        public String name() { return "permute"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0);
            int[] shape = x.shape(), strides = x.strides();
            int[] s = new int[dims.length], st = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                s[i] = shape[dims[i]];
                st[i] = strides[dims[i]];
            }
            return x.asStrided(s, st, x.offset());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            int[] inverse = new int[dims.length];
            for (int i = 0; i < dims.length; i++) inverse[dims[i]] = i;
            return new Tensor[]{g.permute(inverse)};
        }
    }

    /** Elements start..start+length-1 along dim. */
    public record Narrow(int dim, int start, int length) implements Op {
        public static Narrow of(Tensor x, int dim, int start, int length) {
            int d = Shape.dim(dim, x.dim());
            if (start < 0 || length < 0 || start + length > x.size(d)) {
                throw new IndexOutOfBoundsException("narrow(" + dim + ", " + start + ", " + length + ") out of range for shape " + Shape.str(x.shape()));
            }
            return new Narrow(d, start, length);
        }

        public String name() { return "narrow"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0);
            int[] s = x.shape(), st = x.strides();
            s[dim] = length;
            return x.asStrided(s, st, x.offset() + start * st[dim]);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            Tensor full = Tensor.zeros(g.dtype(), ctx.in(0).shape());
            full.narrow(dim, start, length).copyFrom(g);
            return new Tensor[]{full};
        }
    }

    /** Broadcast to {@code shape} with stride 0 on repeated dimensions (shape already resolved). */
    public record Expand(int[] shape) implements Op {
        /** null when the expansion changes nothing. */
        public static Expand of(Tensor x, int... newShape) {
            int[] shape = x.shape();
            if (newShape.length < shape.length) {
                throw new IllegalArgumentException("cannot expand shape " + Shape.str(shape) + " to " + Shape.str(newShape));
            }
            int lead = newShape.length - shape.length;
            int[] s = new int[newShape.length];
            for (int i = 0; i < newShape.length; i++) {
                int src = i - lead;
                int have = src < 0 ? 1 : shape[src];
                int want = newShape[i] == -1 ? have : newShape[i];
                if (have != want && have != 1) {
                    throw new IllegalArgumentException("cannot expand shape " + Shape.str(shape) + " to " + Shape.str(newShape));
                }
                s[i] = want;
            }
            return Arrays.equals(s, shape) ? null : new Expand(s);
        }

        public String name() { return "expand"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0);
            int[] have = x.shape(), strides = x.strides();
            int lead = shape.length - have.length;
            int[] st = new int[shape.length];
            for (int i = 0; i < shape.length; i++) {
                int src = i - lead;
                st[i] = src < 0 || have[src] != shape[i] ? 0 : strides[src];
            }
            return x.asStrided(shape, st, x.offset());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g.sumTo(ctx.in(0).shape())};
        }
    }

    /** Drops dimension dim, of size 1. */
    public record Squeeze(int dim) implements Op {
        public String name() { return "squeeze"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0);
            int[] shape = x.shape(), strides = x.strides();
            int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
            for (int i = 0, k = 0; i < shape.length; i++) {
                if (i == dim) continue;
                s[k] = shape[i];
                st[k++] = strides[i];
            }
            return x.asStrided(s, st, x.offset());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g.unsqueeze(dim)};
        }
    }

    /** Inserts a dimension of size 1 at dim (0 ≤ dim ≤ rank). */
    public record Unsqueeze(int dim) implements Op {
        public static Unsqueeze of(Tensor x, int dim) {
            int rank = x.dim();
            int d = dim < 0 ? dim + rank + 1 : dim;
            if (d < 0 || d > rank) throw new IndexOutOfBoundsException("unsqueeze dimension " + dim + " out of range for rank " + rank);
            return new Unsqueeze(d);
        }

        public String name() { return "unsqueeze"; }

        public Tensor forward(Context ctx) {
            Tensor x = ctx.in(0);
            int[] shape = x.shape(), strides = x.strides();
            int rank = shape.length;
            int[] s = new int[rank + 1], st = new int[rank + 1];
            for (int i = 0, k = 0; i <= rank; i++) {
                if (i == dim) {
                    s[i] = 1;
                    st[i] = dim < rank ? strides[dim] * shape[dim] : 1;
                } else {
                    s[i] = shape[k];
                    st[i] = strides[k++];
                }
            }
            return x.asStrided(s, st, x.offset());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g.squeeze(dim)};
        }
    }

    /** A contiguous copy (contiguous() of a strided view, clone). */
    public record Copy(String name) implements Op {
        public Tensor forward(Context ctx) {
            return ctx.backend().copy(ctx.in(0), ctx.in(0).dtype());
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g};
        }
    }

    /** The values in another dtype; the gradient comes back in the input's dtype. */
    public record Cast(DType dtype) implements Op {
        public String name() { return "to"; }

        public Tensor forward(Context ctx) {
            return ctx.backend().copy(ctx.in(0), dtype);
        }

        public Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[]{g.to(ctx.in(0).dtype())};
        }
    }
}
