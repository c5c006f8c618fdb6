package gradus.tensor;

import java.util.Arrays;

/** A dense, contiguous tensor of 32-bit integers: class labels, token ids, indices. */
public final class IntTensor {
    private final int[] data;
    private final int[] shape;

    private IntTensor(int[] data, int[] shape) {
        if (data.length != Shape.numel(shape)) {
            throw new IllegalArgumentException("data has " + data.length + " values but shape "
                    + Shape.str(shape) + " needs " + Shape.numel(shape));
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** Wraps {@code data} (no copy). With no shape, a 1-d tensor. */
    public static IntTensor of(int[] data, int... shape) {
        return new IntTensor(data, shape.length == 0 ? new int[]{data.length} : shape);
    }

    public static IntTensor zeros(int... shape) {
        return new IntTensor(new int[Shape.numel(shape)], shape);
    }

    public static IntTensor arange(int n) {
        int[] d = new int[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return new IntTensor(d, new int[]{n});
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        return shape[Shape.dim(dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    /** The backing array (row-major); writes are visible to this tensor. */
    public int[] data() {
        return data;
    }

    public int get(int... index) {
        int off = 0, stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape " + Shape.str(shape));
            }
            off += index[i] * stride;
            stride *= shape[i];
        }
        return data[off];
    }

    public IntTensor reshape(int... newShape) {
        return new IntTensor(data, Shape.infer(data.length, newShape));
    }

    /** Rows {@code [from, to)} along dimension 0, copied. */
    public IntTensor rows(int from, int to) {
        int row = data.length / Math.max(shape[0], 1);
        int[] s = shape.clone();
        s[0] = to - from;
        return new IntTensor(Arrays.copyOfRange(data, from * row, to * row), s);
    }

    /** Rows picked by {@code index} along dimension 0, copied. */
    public IntTensor select(int[] index) {
        int row = data.length / Math.max(shape[0], 1);
        int[] out = new int[index.length * row];
        for (int i = 0; i < index.length; i++) System.arraycopy(data, index[i] * row, out, i * row, row);
        int[] s = shape.clone();
        s[0] = index.length;
        return new IntTensor(out, s);
    }

    /** As a float tensor (for losses that take float targets). */
    public Tensor toFloat() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = data[i];
        return Tensor.of(f, shape);
    }

    /** One-hot encoding along a new last dimension. */
    public Tensor oneHot(int numClasses) {
        float[] out = new float[data.length * numClasses];
        for (int i = 0; i < data.length; i++) {
            if (data[i] < 0 || data[i] >= numClasses) {
                throw new IndexOutOfBoundsException("class index " + data[i] + " out of range for " + numClasses + " classes");
            }
            out[i * numClasses + data[i]] = 1f;
        }
        int[] s = Arrays.copyOf(shape, shape.length + 1);
        s[shape.length] = numClasses;
        return Tensor.of(out, s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return Format.ints(data, shape);
    }
}
