package gradus.io.gguf;

import gradus.files.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files that llama.cpp and {@link GgufFile} read: metadata in insertion order, then tensor infos,
 * then each tensor's data at a multiple of the alignment ({@code general.alignment} if put, else 32).
 */
public final class GgufWriter {
    private record Entry(GgufValueType type, Object value) {}
    private record Tensor(String name, GgmlType type, long[] shape, byte[] data) {}

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    /** A scalar: integers as Long (or Integer), FLOAT32 as Float, FLOAT64 as Double, BOOL as Boolean, STRING as String. */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        if (type == GgufValueType.ARRAY) throw new IllegalArgumentException(key + ": use putArray");
        metadata.put(key, new Entry(type, value));
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putArray(String key, GgufArray array) {
        metadata.put(key, new Entry(GgufValueType.ARRAY, array));
        return this;
    }

    /** A tensor from values, encoded as {@code type}; {@code shape[0]} is the innermost dimension. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, float[] values) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != values.length) throw new IllegalArgumentException(name + ": " + values.length + " values for " + n + " elements");
        return addEncodedTensor(name, type, shape, GgmlQuantization.encode(type, values));
    }

    /** A tensor whose bytes are already in {@code type}'s layout. */
    public GgufWriter addEncodedTensor(String name, GgmlType type, long[] shape, byte[] data) {
        tensors.add(new Tensor(name, type, shape.clone(), data));
        return this;
    }

    /** Writes the file atomically, streaming the tensor data rather than assembling the file in memory. */
    public void write(Path file) throws IOException {
        int alignment = alignment();
        byte[] header = header(alignment);
        AtomicFiles.write(file, raw -> {
            java.io.OutputStream out = new java.io.BufferedOutputStream(raw, 1 << 20);
            out.write(header);
            for (Tensor t : tensors) {
                out.write(t.data);
                out.write(new byte[(int) (align(t.data.length, alignment) - t.data.length)]);
            }
            out.flush();
        });
    }

    public byte[] toBytes() {
        int alignment = alignment();
        Out out = new Out();
        out.writeBytes(header(alignment));
        for (Tensor t : tensors) {
            out.writeBytes(t.data);
            out.pad(alignment);
        }
        return out.toByteArray();
    }

    private int alignment() {
        Entry alignmentEntry = metadata.get("general.alignment");
        return alignmentEntry == null ? GgufFile.DEFAULT_ALIGNMENT : ((Number) alignmentEntry.value).intValue();
    }

    /** Everything before the tensor data, padded to the alignment. */
    private byte[] header(int alignment) {
        Out out = new Out();
        out.i32(GgufFile.MAGIC);
        out.i32(GgufFile.VERSION);
        out.i64(tensors.size());
        out.i64(metadata.size());
        metadata.forEach((key, e) -> {
            out.string(key);
            out.i32(e.type.ordinal());
            out.value(e.type, e.value);
        });
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name);
            out.i32(t.shape.length);
            for (long d : t.shape) out.i64(d);
            out.i32(t.type.id());
            out.i64(offset);
            offset = align(offset + t.data.length, alignment);
        }
        out.pad(alignment);
        return out.toByteArray();
    }

    private static long align(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static final class Out extends ByteArrayOutputStream {
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        void i32(int v) {
            write(scratch.clear().putInt(v).array(), 0, 4);
        }

        void i64(long v) {
            write(scratch.clear().putLong(v).array(), 0, 8);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            writeBytes(b);
        }

        void pad(int alignment) {
            while (count % alignment != 0) write(0);
        }

        void value(GgufValueType type, Object v) {
            switch (type) {
                case UINT8, INT8 -> write(((Number) v).intValue());
                case BOOL -> write((Boolean) v ? 1 : 0);
                case UINT16, INT16 -> write(scratch.clear().putShort(((Number) v).shortValue()).array(), 0, 2);
                case UINT32, INT32 -> i32(((Number) v).intValue());
                case UINT64, INT64 -> i64(((Number) v).longValue());
                case FLOAT32 -> i32(Float.floatToRawIntBits(((Number) v).floatValue()));
                case FLOAT64 -> i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case STRING -> string((String) v);
                case ARRAY -> {
                    GgufArray a = (GgufArray) v;
                    i32(a.elementType().ordinal());
                    i64(a.length());
                    for (int i = 0; i < a.length(); i++) value(a.elementType(), element(a.values(), i));
                }
            }
        }

        private static Object element(Object values, int i) {
            return switch (values) {
                case long[] l -> l[i];
                case int[] n -> (long) n[i];
                case float[] f -> f[i];
                case double[] d -> d[i];
                case boolean[] b -> b[i];
                case Object[] o -> o[i];
                default -> throw new IllegalArgumentException("not an array of GGUF values: " + values.getClass());
            };
        }
    }
}
