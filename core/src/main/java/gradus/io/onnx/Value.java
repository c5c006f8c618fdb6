package gradus.io.onnx;

import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A value flowing through an imported graph: a float {@link Tensor} (so autograd sees it) or
 * integer/bool data kept exactly as {@code long[]} (shapes, token ids, masks).
 */
final class Value {
    /** Index arithmetic on integer values runs through float tensors, which are exact up to 2^24. */
    private static final int MAX_EXACT_INDEX = 1 << 24;

    private final Tensor floats;
    private final long[] ints;
    private final int[] shape;
    private final DataType type;

    private Value(Tensor floats, long[] ints, int[] shape, DataType type) {
        this.floats = floats;
        this.ints = ints;
        this.shape = shape;
        this.type = type;
    }

    static Value of(Tensor t) {
        return new Value(t, null, t.shape(), DataType.FLOAT);
    }

    static Value ofInts(long[] data, int[] shape, DataType type) {
        if (type.isFloat()) throw new IllegalArgumentException("integer data cannot have type " + type);
        if (data.length != Shape.numel(shape)) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Shape.str(shape));
        }
        return new Value(null, data, shape.clone(), type);
    }

    static Value scalarLong(long v) {
        return ofInts(new long[]{v}, new int[0], DataType.INT64);
    }

    static Value of(IntTensor t) {
        int[] d = t.data();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) out[i] = d[i];
        return ofInts(out, t.shape(), DataType.INT64);
    }

    boolean isFloat() {
        return floats != null;
    }

    DataType type() {
        return type;
    }

    int[] shape() {
        return shape.clone();
    }

    int rank() {
        return shape.length;
    }

    int numel() {
        return Shape.numel(shape);
    }

    /** The float tensor; fails naming {@code what} when this value holds integers. */
    Tensor tensor(String what) {
        if (floats == null) throw new IllegalArgumentException(what + " must be a float tensor, got " + type + " " + Shape.str(shape));
        return floats;
    }

    /** The integer data (row-major); fails naming {@code what} when this value holds floats. */
    long[] longs(String what) {
        if (ints == null) throw new IllegalArgumentException(what + " must be an integer tensor, got " + type + " " + Shape.str(shape));
        return ints;
    }

    /** Integers as Java ints, for sizes and indices; fails when one does not fit. */
    int[] intArray(String what) {
        long[] v = longs(what);
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != (int) v[i]) throw new IllegalArgumentException(what + " value " + v[i] + " does not fit in an int");
            out[i] = (int) v[i];
        }
        return out;
    }

    /** The values as floats (integers converted), outside the graph. */
    Tensor asFloatTensor() {
        if (floats != null) return floats;
        float[] out = new float[ints.length];
        for (int i = 0; i < ints.length; i++) out[i] = ints[i];
        return Tensor.of(out, shape);
    }

    /**
     * Applies a pure rearrangement (reshape, transpose, slice, expand, gather …) that is written
     * for float tensors. Integer values go through a tensor of their own positions, so the same
     * code moves them exactly.
     */
    Value rearrange(UnaryOperator<Tensor> op) {
        if (floats != null) return of(op.apply(floats));
        Tensor moved = op.apply(positions());
        return ofInts(pick(moved), moved.shape(), type);
    }

    /** A float tensor of this value's shape holding 0, 1, 2, … (for integer values only). */
    Tensor positions() {
        if (ints.length > MAX_EXACT_INDEX) {
            throw new IllegalArgumentException("integer tensor of shape " + Shape.str(shape) + " is too large to rearrange");
        }
        float[] p = new float[ints.length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        return Tensor.of(p, shape);
    }

    /** This value's integers at the positions held by {@code moved} (built from {@link #positions()}). */
    long[] pick(Tensor moved) {
        float[] at = moved.toArray();
        long[] out = new long[at.length];
        for (int i = 0; i < at.length; i++) out[i] = ints[(int) at[i]];
        return out;
    }

    @Override
    public String toString() {
        return type + Shape.str(shape) + (ints != null && ints.length <= 8 ? "=" + Arrays.toString(ints) : "");
    }
}
