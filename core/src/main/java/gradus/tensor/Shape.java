package gradus.tensor;

import java.util.Arrays;

/** Static helpers for shapes and strides (shapes are plain {@code int[]}, as in PyTorch's {@code size()}). */
public final class Shape {
    private Shape() {}

    public static int numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        return (int) n;
    }

    /** Row-major (C order) strides. */
    public static int[] contiguousStrides(int... shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** NumPy broadcasting of two shapes; the error names both. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + str(a) + " and " + str(b) + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalizes a possibly negative dimension index. */
    public static int dim(int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= Math.max(rank, 1)) {
            throw new IndexOutOfBoundsException("dimension " + dim + " out of range for a tensor of rank " + rank);
        }
        return d;
    }

    public static String str(int... shape) {
        return Arrays.toString(shape);
    }

    /** Resolves one {@code -1} in a requested shape against the element count. */
    public static int[] infer(int numel, int... shape) {
        int[] out = shape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("only one dimension can be -1 in " + str(shape));
                unknown = i;
            } else {
                known *= out[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + numel + " elements into " + str(shape));
            }
            out[unknown] = (int) (numel / known);
        }
        if (numel(out) != numel) {
            throw new IllegalArgumentException("cannot reshape " + numel + " elements into " + str(shape));
        }
        return out;
    }
}
