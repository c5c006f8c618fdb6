package gradus.io.onnx;

import gradus.tensor.Shape;

/**
 * The most elements one value computed by an imported graph may have. Shapes that come from the data
 * (ConstantOfShape, Range, Expand, broadcasting, Gather, products, convolution padding …) are checked
 * against it before anything is allocated, so a small file cannot make inference ask for gigabytes.
 * The default is {@code -Dgradus.onnx.maxElements}, else 2^28 or a sixteenth of the heap in elements,
 * whichever is smaller; {@link OnnxModel#limitElements} sets it per model.
 */
final class ElementLimit {
    static final String PROPERTY = "gradus.onnx.maxElements";

    private volatile long max = defaultMax();

    static long defaultMax() {
        String set = System.getProperty(PROPERTY);
        if (set != null) {
            try {
                long v = Long.parseLong(set.strip());
                if (v > 0) return v;
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + set + " is not a positive number of elements");
        }
        return Math.max(1, Math.min(1L << 28, Runtime.getRuntime().maxMemory() / 16));
    }

    long max() {
        return max;
    }

    void set(long elements) {
        if (elements < 1) throw new IllegalArgumentException("the element limit must be at least 1, got " + elements);
        max = elements;
    }

    /** Fails, naming {@code what} and the shape, when a value of {@code shape} would exceed the limit. */
    void check(String what, int[] shape) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(what + " has the negative dimension " + d + " in shape " + Shape.str(shape));
            count = d == 0 || count == 0 ? 0 : count > Long.MAX_VALUE / d ? Long.MAX_VALUE : count * d;
        }
        if (count > max) {
            throw new IllegalArgumentException(what + " would allocate shape " + Shape.str(shape) + " ("
                    + (count == Long.MAX_VALUE ? "more than 2^63" : Long.toString(count)) + " elements), above the limit of " + max
                    + " elements per value (OnnxModel.limitElements or -D" + PROPERTY + ")");
        }
    }

    /** The same for a one-dimensional value of {@code count} elements. */
    void check(String what, long count) {
        if (count > max) {
            throw new IllegalArgumentException(what + " would allocate shape [" + count + "], above the limit of " + max
                    + " elements per value (OnnxModel.limitElements or -D" + PROPERTY + ")");
        }
    }
}
