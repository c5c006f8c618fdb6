package gradus.llm;

import gradus.files.FileFormatException;
import gradus.io.gguf.GgmlQuantization;
import gradus.io.gguf.GgmlType;
import gradus.io.gguf.GgufTensor;
import gradus.kernels.Parallel;

import java.lang.foreign.MemorySegment;

/** A 2-d GGUF tensor used as a {@code rows × cols} matrix (ggml's ne = [cols, rows]) without copying its data. */
public final class WeightMatrix {
    private static final int GRAIN_ELEMENTS = 1 << 15; // below this much work per chunk a thread hand-off costs more than it saves

    private final String name;
    private final GgmlType type;
    private final int rows, cols;
    private final long rowBytes;
    private final MemorySegment data;

    private WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        this.name = name;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.bytesFor(cols);
        this.data = data;
    }

    /** {@code tensor} as a {@code rows × cols} matrix; fails naming the tensor when its shape or type does not fit. */
    public static WeightMatrix of(GgufTensor tensor, int rows, int cols, java.nio.file.Path file) throws FileFormatException {
        if (tensor.dims() != 2 || tensor.dim(0) != cols || tensor.dim(1) != rows) {
            throw new FileFormatException(file, "tensor " + tensor.name() + ": expected shape [" + cols + ", " + rows + "], got "
                    + java.util.Arrays.toString(tensor.shape()));
        }
        switch (tensor.type()) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K -> {}
            default -> throw new FileFormatException(file, "tensor " + tensor.name() + ": type " + tensor.type()
                    + " is not supported by the matrix kernels yet (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K are)");
        }
        return new WeightMatrix(tensor.name(), tensor.type(), rows, cols, tensor.data());
    }

    public String name() {
        return name;
    }

    public GgmlType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** out[r] = Σ_c W[r][c]·x[c], split over the cores by rows; x is rounded as llama.cpp rounds it (see QuantizedDot). */
    public void multiply(float[] x, float[] out) {
        QuantizedDot.Activations a = QuantizedDot.Activations.of(type, x);
        Parallel.forRange(rows, Math.max(1, GRAIN_ELEMENTS / cols), (from, to) -> {
            for (int r = from; r < to; r++) out[r] = QuantizedDot.dot(type, data, r * rowBytes, a, cols);
        });
    }

    /** Row {@code r} decoded into {@code out[0..cols)} (an embedding lookup). */
    public void row(int r, float[] out) {
        GgmlQuantization.decode(type, data, r * rowBytes, cols, out, 0);
    }
}
