package gradus.io.onnx;

import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Operators that move values without arithmetic: Shape, Reshape, Transpose, (Un)Squeeze, Concat,
 * Gather, Slice, Expand, Flatten, Constant, ConstantOfShape. Written once for float tensors (so
 * gradients flow); integer values reuse them through {@link Value#rearrange}.
 */
final class ShapeOps {
    private ShapeOps() {}

    static void register(Map<String, Operators.Op> ops) {
        ops.put("Shape", new Operators.Op(1, 1, (a, opset) -> {
            int start = a.integer("start", 0), end = a.has("end") ? a.integer("end", 0) : Integer.MAX_VALUE;
            return in -> shape(in[0], start, end);
        }));
        ops.put("Reshape", new Operators.Op(2, 2, (a, opset) -> {
            boolean allowZero = a.i("allowzero", 0) != 0;
            return in -> {
                int[] target = resolveReshape(in[0].shape(), in[1].intArray("Reshape's shape"), allowZero);
                return in[0].rearrange(t -> t.reshape(target));
            };
        }));
        ops.put("Transpose", new Operators.Op(1, 1, (a, opset) -> {
            int[] perm = a.ints("perm", null);
            return in -> {
                int[] p = perm;
                if (p == null) {
                    p = new int[in[0].rank()];
                    for (int i = 0; i < p.length; i++) p[i] = p.length - 1 - i;
                }
                int[] fp = p;
                return in[0].rearrange(t -> t.permute(fp));
            };
        }));
        ops.put("Unsqueeze", new Operators.Op(1, 2, (a, opset) -> {
            int[] attr = a.ints("axes", null);
            return in -> unsqueeze(in[0], axes(attr, in, "Unsqueeze", true));
        }));
        ops.put("Squeeze", new Operators.Op(1, 2, (a, opset) -> {
            int[] attr = a.ints("axes", null);
            return in -> squeeze(in[0], axes(attr, in, "Squeeze", false));
        }));
        ops.put("Concat", new Operators.Op(1, Integer.MAX_VALUE, (a, opset) -> {
            if (!a.has("axis")) throw new IllegalArgumentException("Concat needs attribute 'axis'");
            int axis = a.integer("axis", 0);
            return in -> concat(in, axis);
        }));
        ops.put("Split", new Operators.Op(1, 2, Integer.MAX_VALUE, (a, opset) -> {
            int axis = a.integer("axis", 0), outputs = a.outputCount();
            int[] attrSizes = a.ints("split", null);
            return new Kernel() {
                @Override
                public Value run(Value[] in) {
                    return runAll(in)[0];
                }

                @Override
                public Value[] runAll(Value[] in) {
                    int[] sizes = attrSizes != null ? attrSizes : in.length > 1 && in[1] != null ? in[1].intArray("Split's split") : null;
                    return split(in[0], axis, sizes, outputs);
                }
            };
        }));
        ops.put("Gather", new Operators.Op(2, 2, (a, opset) -> {
            int axis = a.integer("axis", 0);
            return in -> gather(in[0], in[1], axis, a.limit());
        }));
        ops.put("Slice", new Operators.Op(1, 5, (a, opset) -> {
            long[] starts = a.longs("starts"), ends = a.longs("ends"), axes = a.longs("axes");
            return in -> opset < 10 ? slice(in[0], starts, ends, axes, null)
                    : slice(in[0], in[1].longs("Slice's starts"), in[2].longs("Slice's ends"),
                    in.length > 3 && in[3] != null ? in[3].longs("Slice's axes") : null,
                    in.length > 4 && in[4] != null ? in[4].longs("Slice's steps") : null);
        }));
        ops.put("Expand", new Operators.Op(2, 2, (a, opset) -> in -> {
            int[] target = Shape.broadcast(in[0].shape(), in[1].intArray("Expand's shape"));
            a.limit().check("Expand", target);
            return in[0].rearrange(t -> t.expand(target));
        }));
        ops.put("Flatten", new Operators.Op(1, 1, (a, opset) -> {
            int axis = a.integer("axis", 1);
            return in -> {
                int[] s = in[0].shape();
                int ax = axis < 0 ? axis + s.length : axis;
                if (ax < 0 || ax > s.length) throw new IllegalArgumentException("Flatten axis " + axis + " is out of range for shape " + Shape.str(s));
                int outer = Shape.numel(Arrays.copyOf(s, ax));
                return in[0].rearrange(t -> t.reshape(outer, in[0].numel() / Math.max(1, outer)));
            };
        }));
        ops.put("Constant", new Operators.Op(0, 0, (a, opset) -> {
            Value v = constant(a);
            return in -> v;
        }));
        ops.put("Range", new Operators.Op(3, 3, (a, opset) -> in -> range(in[0], in[1], in[2], a.limit())));
        ops.put("ConstantOfShape", new Operators.Op(1, 1, (a, opset) -> {
            Value fill = a.tensor("value");
            if (fill != null && fill.numel() != 1) throw new IllegalArgumentException("ConstantOfShape's value must hold one element, got " + fill);
            return in -> {
                int[] shape = in[0].intArray("ConstantOfShape's shape");
                a.limit().check("ConstantOfShape", shape);
                return constantOfShape(shape, fill);
            };
        }));
    }

    private static Value shape(Value x, int start, int end) {
        int r = x.rank();
        int s = Math.clamp(start < 0 ? start + r : start, 0, r), e = Math.clamp(end < 0 ? (long) end + r : end, 0, r);
        int[] dims = x.shape();
        long[] out = new long[Math.max(0, e - s)];
        for (int i = 0; i < out.length; i++) out[i] = dims[s + i];
        return Value.ofInts(out, new int[]{out.length}, DataType.INT64);
    }

    /** ONNX Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred. */
    static int[] resolveReshape(int[] in, int[] shape, boolean allowZero) {
        int[] out = shape.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= in.length) throw new IllegalArgumentException("Reshape to " + Arrays.toString(shape) + " copies dimension " + i + " of " + Shape.str(in) + ", which does not exist");
                out[i] = in[i];
            }
        }
        return out;
    }

    /** Axes from the attribute (before opset 13) or the second input (from opset 13 on); null when absent. */
    private static int[] axes(int[] attr, Value[] in, String op, boolean required) {
        if (attr != null) return attr;
        if (in.length > 1 && in[1] != null) return in[1].intArray(op + "'s axes");
        if (required) throw new IllegalArgumentException(op + " needs axes");
        return null;
    }

    private static Value unsqueeze(Value x, int[] axes) {
        int rank = x.rank() + axes.length;
        int[] sorted = new int[axes.length];
        for (int i = 0; i < axes.length; i++) sorted[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        Arrays.sort(sorted);
        return x.rearrange(t -> {
            for (int d : sorted) t = t.unsqueeze(d);
            return t;
        });
    }

    private static Value squeeze(Value x, int[] axes) {
        int[] s = x.shape();
        List<Integer> drop = new ArrayList<>();
        if (axes == null) {
            for (int i = 0; i < s.length; i++) if (s[i] == 1) drop.add(i);
        } else {
            for (int a : axes) {
                int d = Shape.dim(a, s.length);
                if (s[d] != 1) throw new IllegalArgumentException("Squeeze of dimension " + a + " of shape " + Shape.str(s) + ", which is not 1");
                drop.add(d);
            }
        }
        drop.sort(null);
        return x.rearrange(t -> {
            for (int i = drop.size() - 1; i >= 0; i--) t = t.squeeze(drop.get(i));
            return t;
        });
    }

    private static Value concat(Value[] in, int axis) {
        boolean anyFloat = false;
        for (Value v : in) anyFloat |= v.isFloat();
        if (anyFloat) {
            List<Tensor> parts = new ArrayList<>();
            for (Value v : in) parts.add(v.asFloatTensor());
            return Value.of(Tensor.concat(parts, axis));
        }
        int[] shape = in[0].shape();
        int d = Shape.dim(axis, shape.length), total = 0;
        for (Value v : in) {
            if (v.rank() != shape.length) throw new IllegalArgumentException("Concat of shapes " + Shape.str(shape) + " and " + Shape.str(v.shape()));
            total += v.shape()[d];
        }
        int outer = Shape.numel(Arrays.copyOf(shape, d)), inner = Shape.numel(Arrays.copyOfRange(shape, d + 1, shape.length));
        shape[d] = total;
        long[] out = new long[Shape.numel(shape)];
        int at = 0;
        for (Value v : in) {
            long[] src = v.longs("Concat's input");
            int chunk = v.shape()[d] * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(src, o * chunk, out, o * total * inner + at, chunk);
            at += chunk;
        }
        return Value.ofInts(out, shape, in[0].type());
    }

    /** Cuts x along {@code axis} into the given sizes, or into {@code parts} equal parts (the last one smaller when uneven). */
    private static Value[] split(Value x, int axis, int[] sizes, int parts) {
        int[] s = x.shape();
        int d = Shape.dim(axis, s.length), n = s[d];
        if (sizes == null) {
            int chunk = Math.ceilDiv(n, parts);
            sizes = new int[parts];
            for (int i = 0; i < parts; i++) sizes[i] = Math.max(0, Math.min(chunk, n - i * chunk));
        }
        int total = 0;
        for (int z : sizes) total += z;
        if (total != n || sizes.length != parts) {
            throw new IllegalArgumentException("Split of dimension " + d + " (size " + n + ") into " + Arrays.toString(sizes) + " for " + parts + " outputs");
        }
        Value[] out = new Value[parts];
        int at = 0;
        for (int i = 0; i < parts; i++) {
            int from = at, len = sizes[i];
            out[i] = x.rearrange(t -> t.narrow(d, from, len));
            at += len;
        }
        return out;
    }

    /** data indexed along {@code axis} by integer indices (negative ones count from the end): shape data[:axis] + indices + data[axis+1:]. */
    private static Value gather(Value data, Value indices, int axis, ElementLimit limit) {
        int[] ds = data.shape();
        int d = Shape.dim(axis, ds.length), n = ds[d];
        long[] ix = indices.longs("Gather's indices");
        int[] flat = new int[ix.length];
        for (int i = 0; i < ix.length; i++) {
            long v = ix[i] < 0 ? ix[i] + n : ix[i];
            if (v < 0 || v >= n) throw new IndexOutOfBoundsException("Gather index " + ix[i] + " is out of range for dimension " + d + " of size " + n);
            flat[i] = (int) v;
        }
        int[] is = indices.shape();
        int[] out = new int[ds.length - 1 + is.length];
        System.arraycopy(ds, 0, out, 0, d);
        System.arraycopy(is, 0, out, d, is.length);
        System.arraycopy(ds, d + 1, out, d + is.length, ds.length - d - 1);
        limit.check("Gather", out);
        IntTensor index = IntTensor.of(flat);
        return data.rearrange(t -> t.indexSelect(d, index).reshape(out));
    }

    private static Value slice(Value x, long[] starts, long[] ends, long[] axes, long[] steps) {
        if (starts == null || ends == null || starts.length != ends.length) {
            throw new IllegalArgumentException("Slice needs starts and ends of the same length");
        }
        int[] s = x.shape();
        return x.rearrange(t -> {
            for (int i = 0; i < starts.length; i++) {
                int d = Shape.dim(axes == null ? i : (int) axes[i], s.length);
                long step = steps == null ? 1 : steps[i];
                t = sliceAxis(t, d, starts[i], ends[i], step);
            }
            return t;
        });
    }

    /** One axis of ONNX Slice: out-of-range starts and ends are clamped, negative ones count from the end. */
    private static Tensor sliceAxis(Tensor t, int d, long start, long end, long step) {
        if (step == 0) throw new IllegalArgumentException("Slice step must not be 0");
        long n = t.size(d);
        if (start < 0) start += n;
        if (end < 0) end += n;
        long count;
        if (step > 0) {
            start = Math.clamp(start, 0, n);
            end = Math.clamp(end, 0, n);
            count = Math.max(0, (end - start + step - 1) / step);
        } else {
            start = Math.clamp(start, 0, n - 1);
            end = Math.clamp(end, -1, n - 1);
            count = Math.max(0, (start - end + (-step) - 1) / (-step));
        }
        if (step == 1 && count == n) return t;
        if (step == 1 && count > 0) return t.narrow(d, (int) start, (int) count);
        int[] ix = new int[(int) count];
        for (int i = 0; i < ix.length; i++) ix[i] = (int) (start + i * step);
        return t.indexSelect(d, IntTensor.of(ix));
    }

    private static Value constant(Attributes a) throws IOException {
        if (a.has("value")) return a.tensor("value");
        if (a.has("value_float")) return Value.of(Tensor.scalar(a.f("value_float", 0f)));
        if (a.has("value_floats")) {
            float[] f = a.floats("value_floats");
            return Value.of(Tensor.of(f, f.length));
        }
        if (a.has("value_int")) return Value.scalarLong(a.i("value_int", 0));
        if (a.has("value_ints")) {
            long[] v = a.longs("value_ints");
            return Value.ofInts(v, new int[]{v.length}, DataType.INT64);
        }
        throw new IllegalArgumentException("Constant needs one of value, value_float(s), value_int(s); sparse and string constants are not supported");
    }

    /** start, start+delta, … up to (excluding) limit; integers stay exact. */
    private static Value range(Value start, Value limit, Value delta, ElementLimit elements) {
        for (Value v : new Value[]{start, limit, delta}) {
            if (v.numel() != 1) throw new IllegalArgumentException("Range takes scalars, got " + v);
        }
        if (!start.isFloat() && !limit.isFloat() && !delta.isFloat()) {
            long s = start.longs("Range's start")[0], l = limit.longs("Range's limit")[0], d = delta.longs("Range's delta")[0];
            if (d == 0) throw new IllegalArgumentException("Range delta must not be 0");
            long n;
            try {
                n = Math.max(0, Math.ceilDiv(Math.subtractExact(l, s), d));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("Range from " + s + " to " + l + " overflows 64-bit integers");
            }
            elements.check("Range from " + s + " to " + l + " by " + d, n);
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("Range of " + n + " values is too long");
            long[] out = new long[(int) n];
            for (int i = 0; i < out.length; i++) out[i] = s + i * d;
            return Value.ofInts(out, new int[]{out.length}, start.type());
        }
        float s = start.asFloatTensor().item(), l = limit.asFloatTensor().item(), d = delta.asFloatTensor().item();
        if (d == 0f) throw new IllegalArgumentException("Range delta must not be 0");
        double steps = Math.ceil(((double) l - s) / d);
        if (Double.isNaN(steps)) throw new IllegalArgumentException("Range from " + s + " to " + l + " by " + d + " has no length");
        elements.check("Range from " + s + " to " + l + " by " + d, (long) Math.max(0, steps));
        if (steps > Integer.MAX_VALUE) throw new IllegalArgumentException("Range of " + steps + " values is too long");
        int n = (int) Math.max(0, steps);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = s + i * d;
        return Value.of(Tensor.of(out, n));
    }

    private static Value constantOfShape(int[] shape, Value fill) {
        for (int d : shape) if (d < 0) throw new IllegalArgumentException("ConstantOfShape with negative dimension in " + Arrays.toString(shape));
        if (fill == null || fill.isFloat()) {
            float v = fill == null ? 0f : fill.tensor("value").toArray()[0];
            return Value.of(Tensor.full(v, shape));
        }
        long[] out = new long[Shape.numel(shape)];
        Arrays.fill(out, fill.longs("value")[0]);
        return Value.ofInts(out, shape, fill.type());
    }
}
