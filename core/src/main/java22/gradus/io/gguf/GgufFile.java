package gradus.io.gguf;

import gradus.files.FileFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF v3 file (llama.cpp's model format), memory-mapped: the header, metadata and tensor infos are parsed
 * once, and each tensor's data is a slice of the mapping, never copied to the heap. Every count, length and
 * offset is checked against the bytes left before anything is allocated, so a truncated or lying file fails
 * with a {@link FileFormatException} naming the field and its byte offset. Closing unmaps the file.
 */
public final class GgufFile implements AutoCloseable {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    static final int VERSION = 3;
    static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4; // ggml's GGML_MAX_DIMS
    private static final int MAX_ARRAY_NESTING = 8;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> types;
    private final Map<String, GgufTensor> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment file, Map<String, Object> metadata,
                     Map<String, GgufValueType> types, Map<String, GgufTensor> tensors, int alignment, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.types = Collections.unmodifiableMap(types);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /** Maps and parses {@code path}; the mapping lives until {@link #close()}. */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            GgufFile parsed = new Reader(path, file).read(arena);
            return parsed;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Keys in file order; values as described by {@link GgufArray} and {@link #type(String)}. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The stored type of a key, or null when absent. */
    public GgufValueType type(String key) {
        return types.get(key);
    }

    /** Tensors in file order, by name. */
    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public GgufTensor tensor(String name) throws FileFormatException {
        GgufTensor t = tensors.get(name);
        if (t == null) throw new FileFormatException(path, "tensor " + name + ": missing");
        return t;
    }

    public int alignment() {
        return alignment;
    }

    /** Where the tensor data region starts. */
    public long dataOffset() {
        return dataOffset;
    }

    public long size() {
        return file.byteSize();
    }

    /** An integer value that fits an int, or {@code fallback} when the key is absent. */
    public int getInt(String key, int fallback) throws FileFormatException {
        return metadata.containsKey(key) ? getInt(key) : fallback;
    }

    public int getInt(String key) throws FileFormatException {
        Object v = require(key);
        if (!types.get(key).isInteger() || (long) v < Integer.MIN_VALUE || (long) v > Integer.MAX_VALUE) {
            throw new FileFormatException(path, "metadata " + key + ": expected an integer that fits 32 bits, got "
                    + types.get(key) + " " + v);
        }
        return (int) (long) v;
    }

    public float getFloat(String key, float fallback) throws FileFormatException {
        return metadata.containsKey(key) ? getFloat(key) : fallback;
    }

    public float getFloat(String key) throws FileFormatException {
        Object v = require(key);
        if (v instanceof Float f) return f;
        if (v instanceof Double d) return d.floatValue();
        throw new FileFormatException(path, "metadata " + key + ": expected a float, got " + types.get(key));
    }

    public String getString(String key) throws FileFormatException {
        if (require(key) instanceof String s) return s;
        throw new FileFormatException(path, "metadata " + key + ": expected a string, got " + types.get(key));
    }

    public String getString(String key, String fallback) throws FileFormatException {
        return metadata.containsKey(key) ? getString(key) : fallback;
    }

    /** An array of the given element type, or null when the key is absent. */
    public GgufArray getArray(String key, GgufValueType elementType) throws FileFormatException {
        if (!metadata.containsKey(key)) return null;
        if (metadata.get(key) instanceof GgufArray a && a.elementType() == elementType) return a;
        throw new FileFormatException(path, "metadata " + key + ": expected an array of " + elementType);
    }

    private Object require(String key) throws FileFormatException {
        Object v = metadata.get(key);
        if (v == null) throw new FileFormatException(path, "metadata " + key + ": missing");
        return v;
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A cursor over the mapping that checks every read against the end of the file. */
    private static final class Reader {
        private final Path path;
        private final MemorySegment file;
        private final long size;
        private long at;

        Reader(Path path, MemorySegment file) {
            this.path = path;
            this.file = file;
            this.size = file.byteSize();
        }

        GgufFile read(Arena arena) throws FileFormatException {
            int magic = (int) u32("magic");
            if (magic != MAGIC) throw error(0, "magic", String.format("expected GGUF, got 0x%08x", magic));
            long version = u32("version");
            if (version != VERSION) throw error(4, "version", "expected " + VERSION + ", got " + version);
            long tensorCount = count("tensor_count", 8 + 4 + 8 + 4 + 8); // name, n_dims, one dim, type, offset
            long kvCount = count("metadata_kv_count", 8 + 4 + 1);
            Map<String, Object> metadata = new LinkedHashMap<>();
            Map<String, GgufValueType> types = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long keyAt = at;
                String key = string("metadata key " + i);
                long typeAt = at;
                GgufValueType type = valueType("metadata " + key + " type");
                Object value = value(key, type, 0);
                if (metadata.putIfAbsent(key, value) != null) throw error(keyAt, "metadata key " + key, "duplicate");
                types.put(key, type);
                if (key.equals("general.alignment")) checkAlignment(typeAt, type, value);
            }
            int alignment = metadata.containsKey("general.alignment")
                    ? (int) (long) metadata.get("general.alignment") : DEFAULT_ALIGNMENT;

            record Info(String name, long[] shape, GgmlType type, long offset, long bytes, long at) {}
            Info[] infos = new Info[(int) tensorCount];
            for (int i = 0; i < tensorCount; i++) {
                long infoAt = at;
                String name = string("tensor " + i + " name");
                long dimsAt = at;
                long dims = u32("tensor " + name + " n_dims");
                if (dims < 1 || dims > MAX_DIMS) throw error(dimsAt, "tensor " + name + " n_dims", "must be 1.." + MAX_DIMS + ", got " + dims);
                long[] shape = new long[(int) dims];
                long elements = 1;
                for (int d = 0; d < dims; d++) {
                    long dimAt = at;
                    shape[d] = u64("tensor " + name + " ne[" + d + "]");
                    if (shape[d] <= 0 || elements > Long.MAX_VALUE / shape[d]) {
                        throw error(dimAt, "tensor " + name + " ne[" + d + "]", "must be positive with a product that fits 63 bits, got "
                                + Long.toUnsignedString(shape[d]));
                    }
                    elements *= shape[d];
                }
                long typeAt = at;
                long typeId = u32("tensor " + name + " type");
                GgmlType type = GgmlType.byId(typeId);
                if (type == null) throw error(typeAt, "tensor " + name + " type", "ggml type " + typeId + " is not supported");
                if (shape[0] % type.blockSize() != 0) {
                    throw error(dimsAt, "tensor " + name + " ne[0]", shape[0] + " is not a multiple of the " + type + " block size " + type.blockSize());
                }
                long offsetAt = at;
                long offset = u64("tensor " + name + " offset");
                if (offset < 0 || offset % alignment != 0) {
                    throw error(offsetAt, "tensor " + name + " offset", Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment);
                }
                long bytes = type.bytesFor(elements);
                if (bytes < 0 || bytes > size) throw error(dimsAt, "tensor " + name + " shape", "needs more bytes than the file's " + size);
                infos[i] = new Info(name, shape, type, offset, bytes, infoAt);
            }
            long dataOffset = align(at, alignment);
            Map<String, GgufTensor> tensors = new LinkedHashMap<>();
            for (Info info : infos) {
                if (info.offset > size - dataOffset || info.bytes > size - dataOffset - info.offset) {
                    throw error(info.at, "tensor " + info.name + " data", "bytes [" + (dataOffset + info.offset) + ", +" + info.bytes
                            + ") run past the end of the file (" + size + " bytes)");
                }
                long begin = dataOffset + info.offset;
                GgufTensor t = new GgufTensor(info.name, info.type, info.shape, begin, file.asSlice(begin, info.bytes));
                if (tensors.putIfAbsent(info.name, t) != null) throw error(info.at, "tensor " + info.name, "duplicate name");
            }
            return new GgufFile(path, arena, file, metadata, types, tensors, alignment, dataOffset);
        }

        private void checkAlignment(long at, GgufValueType type, Object value) throws FileFormatException {
            long a = value instanceof Long l ? l : 0;
            if (type != GgufValueType.UINT32 || a <= 0 || Long.bitCount(a) != 1) {
                throw error(at, "metadata general.alignment", "must be a UINT32 power of two, got " + type + " " + value);
            }
        }

        private Object value(String key, GgufValueType type, int depth) throws FileFormatException {
            String field = "metadata " + key;
            return switch (type) {
                case UINT8 -> (long) Byte.toUnsignedInt(bytes(field, 1).get(ValueLayout.JAVA_BYTE, 0));
                case INT8 -> (long) bytes(field, 1).get(ValueLayout.JAVA_BYTE, 0);
                case UINT16 -> (long) Short.toUnsignedInt(bytes(field, 2).get(SHORT, 0));
                case INT16 -> (long) bytes(field, 2).get(SHORT, 0);
                case UINT32 -> u32(field);
                case INT32 -> (long) (int) u32(field);
                case UINT64, INT64 -> u64(field);
                case FLOAT32 -> Float.intBitsToFloat((int) u32(field));
                case FLOAT64 -> Double.longBitsToDouble(u64(field));
                case BOOL -> {
                    long boolAt = at;
                    byte b = bytes(field, 1).get(ValueLayout.JAVA_BYTE, 0);
                    if (b != 0 && b != 1) throw error(boolAt, field, "a BOOL must be 0 or 1, got " + b);
                    yield b == 1;
                }
                case STRING -> string(field);
                case ARRAY -> array(key, depth);
            };
        }

        private GgufArray array(String key, int depth) throws FileFormatException {
            String field = "metadata " + key;
            long arrayAt = at;
            if (depth >= MAX_ARRAY_NESTING) throw error(arrayAt, field, "arrays nested deeper than " + MAX_ARRAY_NESTING);
            GgufValueType element = valueType(field + " element type");
            int n = (int) count(field + " length", element.minSize());
            Object values = switch (element) {
                case FLOAT32 -> new float[n];
                case FLOAT64 -> new double[n];
                case BOOL -> new boolean[n];
                case STRING -> new String[n];
                case ARRAY -> new GgufArray[n];
                default -> new long[n];
            };
            for (int i = 0; i < n; i++) {
                Object v = value(key + "[" + i + "]", element, depth + 1);
                switch (values) {
                    case float[] f -> f[i] = (Float) v;
                    case double[] d -> d[i] = (Double) v;
                    case boolean[] b -> b[i] = (Boolean) v;
                    case String[] s -> s[i] = (String) v;
                    case GgufArray[] a -> a[i] = (GgufArray) v;
                    case long[] l -> l[i] = (Long) v;
                    default -> throw new AssertionError(values);
                }
            }
            return new GgufArray(element, values);
        }

        private GgufValueType valueType(String field) throws FileFormatException {
            long typeAt = at;
            long id = u32(field);
            GgufValueType type = GgufValueType.byId(id);
            if (type == null) throw error(typeAt, field, "unknown value type " + id);
            return type;
        }

        /** A u64 count of items of at least {@code minItemBytes} each; fails unless that many fit in what is left. */
        private long count(String field, int minItemBytes) throws FileFormatException {
            long countAt = at;
            long n = u64(field);
            long left = size - at;
            if (n < 0 || n > left / minItemBytes || n > Integer.MAX_VALUE - 8) {
                throw error(countAt, field, Long.toUnsignedString(n) + " items cannot fit in the " + left + " bytes left");
            }
            return n;
        }

        private String string(String field) throws FileFormatException {
            long lengthAt = at;
            long n = u64(field + " length");
            if (n < 0 || n > size - at || n > Integer.MAX_VALUE - 8) {
                throw error(lengthAt, field + " length", Long.toUnsignedString(n) + " bytes run past the end of the file (" + size + " bytes)");
            }
            long textAt = at;
            MemorySegment text = bytes(field, n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(text.asByteBuffer()).toString();
            } catch (CharacterCodingException e) {
                throw error(textAt, field, "not valid UTF-8");
            }
        }

        private long u32(String field) throws FileFormatException {
            return Integer.toUnsignedLong(bytes(field, 4).get(INT, 0));
        }

        private long u64(String field) throws FileFormatException {
            return bytes(field, 8).get(LONG, 0);
        }

        private MemorySegment bytes(String field, long n) throws FileFormatException {
            if (n > size - at) throw error(at, field, "needs " + n + " bytes, the file ends at " + size);
            MemorySegment s = file.asSlice(at, n);
            at += n;
            return s;
        }

        private FileFormatException error(long offset, String field, String problem) {
            return new FileFormatException(path, field + " at byte " + offset + ": " + problem);
        }

        private static long align(long offset, int alignment) {
            return (offset + alignment - 1) / alignment * alignment;
        }
    }
}
