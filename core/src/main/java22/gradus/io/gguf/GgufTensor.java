package gradus.io.gguf;

import java.lang.foreign.MemorySegment;

/**
 * One tensor of a GGUF file: {@code shape[0]} is the innermost (contiguous) dimension, as in ggml, so a
 * PyTorch {@code [out, in]} weight has shape {@code [in, out]}. {@code data} is a slice of the mapped file.
 */
public record GgufTensor(String name, GgmlType type, long[] shape, long fileOffset, MemorySegment data) {
    public GgufTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int dims() {
        return shape.length;
    }

    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    public long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
