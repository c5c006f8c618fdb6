package gradus.tensor;

/**
 * The flat memory behind a tensor and its views. Heap arrays today ({@link HeapFloat}, {@link HeapDouble});
 * a device backend adds its own kind, whose values the element accessors reach (slowly) for printing and tests.
 */
public interface Storage {
    DType dtype();

    /** Number of elements. */
    int size();

    double get(int index);

    void set(int index, double value);

    /** A zeroed storage of the same kind with {@code size} elements. */
    Storage allocate(int size);

    static Storage allocate(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new HeapFloat(new float[size]);
            case FLOAT64 -> new HeapDouble(new double[size]);
        };
    }

    /** float32 elements in a Java array. */
    record HeapFloat(float[] array) implements Storage {
        public DType dtype() { return DType.FLOAT32; }
        public int size() { return array.length; }
        public double get(int index) { return array[index]; }
        public void set(int index, double value) { array[index] = (float) value; }
        public Storage allocate(int size) { return new HeapFloat(new float[size]); }
    }

    /** float64 elements in a Java array. */
    record HeapDouble(double[] array) implements Storage {
        public DType dtype() { return DType.FLOAT64; }
        public int size() { return array.length; }
        public double get(int index) { return array[index]; }
        public void set(int index, double value) { array[index] = value; }
        public Storage allocate(int size) { return new HeapDouble(new double[size]); }
    }
}
