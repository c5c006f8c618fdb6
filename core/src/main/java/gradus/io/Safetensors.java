package gradus.io;

import gradus.files.AtomicFiles;
import gradus.files.FileFormatException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.io.CharConversionException;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): a u64 little-endian header length, a JSON header giving
 * each tensor's dtype, shape and byte range, then the raw little-endian data. Reading only parses
 * JSON and copies numbers, so a file can never run code; every inconsistency is reported with the
 * file name. Gradus writes F32 (and I32 for integer tensors) and reads F32, F16, BF16, F64, I64, I32; quantized
 * models write and read I8, U8, F16 and BF16 as raw bytes ({@link Raw}).
 */
public final class Safetensors {
    /** The reference implementation's cap; a larger header is treated as corruption. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";
    private static final int CHUNK_BYTES = 1 << 20; // a multiple of every element size
    /**
     * Headers are streamed (by the byte-based parser) without interning or a per-object duplicate set (tensor names are unique by
     * construction here, checked once below): so each entry costs a few times its JSON text.
     */
    private static final JsonFactory HEADER_JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private Safetensors() {}

    /** The element types Gradus can read, with their size in bytes. */
    public enum DType {
        F32(4, false), F16(2, false), BF16(2, false), F64(8, false), I64(8, true), I32(4, true), I8(1, true), U8(1, true);

        private final int bytes;
        private final boolean integer;

        DType(int bytes, boolean integer) {
            this.bytes = bytes;
            this.integer = integer;
        }

        public int bytes() {
            return bytes;
        }

        public boolean isInteger() {
            return integer;
        }
    }

    /** One header entry: {@code [begin, end)} is relative to the start of the byte buffer. */
    public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public int numel() {
            return Shape.numel(shape);
        }
    }

    /** A parsed, validated header; {@code tensors} are in the order their bytes appear in the file. */
    public record Header(List<TensorInfo> tensors, Map<String, String> metadata, long dataStart) {}

    /**
     * A file's tensors in file order and its {@code __metadata__}. Integer tensors are in
     * {@code intTensors} when asked for, otherwise converted to float and kept in {@code tensors}.
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, IntTensor> intTensors, Map<String, String> metadata) {}

    /** A tensor as its little-endian bytes, in any dtype (quantized weights: I8, U8, F16, BF16, with F32 scales). */
    public record Raw(DType dtype, int[] shape, byte[] data) {
        public Raw {
            shape = shape.clone();
            if ((long) Shape.numel(shape) * dtype.bytes() != data.length) {
                throw new IllegalArgumentException(dtype + " tensor of shape " + Shape.str(shape) + " needs "
                        + (long) Shape.numel(shape) * dtype.bytes() + " bytes, got " + data.length);
            }
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public static Raw of(float[] values, int... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Raw(DType.F32, shape, b.array());
        }

        public static Raw of(DType dtype, short[] values, int... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            b.asShortBuffer().put(values);
            return new Raw(dtype, shape, b.array());
        }

        /** The values of an F32 tensor. */
        public float[] floats() {
            if (dtype != DType.F32) throw new IllegalStateException("a " + dtype + " tensor does not hold F32 values");
            float[] out = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        /** The values of a 16-bit tensor (F16, BF16) as their bits. */
        public short[] shorts() {
            if (dtype.bytes() != 2) throw new IllegalStateException("a " + dtype + " tensor does not hold 16-bit values");
            short[] out = new short[data.length / 2];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
            return out;
        }
    }

    /** Writes tensors as they are, in map order, atomically. */
    public static void writeRaw(Path file, Map<String, Raw> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> writeRaw(out, tensors, metadata));
    }

    public static void writeRaw(OutputStream out, Map<String, Raw> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put(METADATA, metadata);
        long offset = 0;
        for (var e : tensors.entrySet()) offset = addEntry(header, e.getKey(), e.getValue().dtype(), e.getValue().shape(), offset);
        byte[] json = Json.MAPPER.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        for (Raw t : tensors.values()) out.write(t.data());
    }

    /** Every tensor's bytes as stored, in file order, with the file's metadata. */
    public record RawContents(Map<String, Raw> tensors, Map<String, String> metadata) {}

    public static RawContents readRaw(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = parseHeader(file, ch);
            Map<String, Raw> out = new LinkedHashMap<>();
            for (TensorInfo t : header.tensors()) {
                long bytes = t.end() - t.begin();
                if (bytes > Integer.MAX_VALUE - 8) throw new FileFormatException(file, "tensor '" + t.name() + "' holds " + bytes + " bytes; raw reads take up to 2 GB per tensor");
                ByteBuffer b = readFully(file, ch, header.dataStart() + t.begin(), (int) bytes);
                out.put(t.name(), new Raw(t.dtype(), t.shape(), b.array()));
            }
            return new RawContents(out, header.metadata());
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes float tensors as F32, atomically (see {@link AtomicFiles}). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, Map.of(), metadata);
    }

    /** Writes float tensors as F32 followed by integer tensors as I32, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, IntTensor> intTensors,
                             Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> write(out, tensors, intTensors, metadata));
    }

    /** Writes the safetensors bytes to a stream; tensors are packed in map order, float ones first. */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, IntTensor> intTensors,
                             Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            metadata.forEach((k, v) -> {
                if (k == null || v == null) throw new IllegalArgumentException("metadata keys and values must not be null: " + metadata);
            });
            header.put(METADATA, metadata);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) offset = addEntry(header, e.getKey(), DType.F32, e.getValue().shape(), offset);
        for (var e : intTensors.entrySet()) offset = addEntry(header, e.getKey(), DType.I32, e.getValue().shape(), offset);

        byte[] json = Json.MAPPER.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // so the data starts 8-byte aligned
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            // A contiguous tensor (possibly a view into a larger buffer) is written straight from its storage.
            if (t.isContiguous()) writeFloats(out, t.data(), t.offset(), t.numel(), buf);
            else writeFloats(out, t.toArray(), 0, t.numel(), buf);
        }
        for (IntTensor t : intTensors.values()) writeInts(out, t.data(), buf);
    }

    private static long addEntry(Map<String, Object> header, String name, DType dtype, int[] shape, long offset) {
        if (name == null || name.isEmpty() || name.equals(METADATA)) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (header.containsKey(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        long end = offset + (long) Shape.numel(shape) * dtype.bytes();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("dtype", dtype.name());
        entry.put("shape", shape);
        entry.put("data_offsets", new long[]{offset, end});
        header.put(name, entry);
        return end;
    }

    private static void writeFloats(OutputStream out, float[] data, int offset, int count, ByteBuffer buf) throws IOException {
        int perChunk = buf.capacity() / Float.BYTES;
        for (int done = 0; done < count; done += perChunk) {
            int n = Math.min(perChunk, count - done);
            buf.clear();
            buf.asFloatBuffer().put(data, offset + done, n);
            out.write(buf.array(), 0, n * Float.BYTES);
        }
    }

    private static void writeInts(OutputStream out, int[] data, ByteBuffer buf) throws IOException {
        int perChunk = buf.capacity() / Integer.BYTES;
        for (int from = 0; from < data.length; from += perChunk) {
            int n = Math.min(perChunk, data.length - from);
            buf.clear();
            buf.asIntBuffer().put(data, from, n);
            out.write(buf.array(), 0, n * Integer.BYTES);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Every tensor as float32, integer dtypes converted. */
    public static Contents read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * Every tensor in file order. With {@code intsAsIntTensors}, I32/I64 tensors go to
     * {@link Contents#intTensors()} (I64 values must fit in 32 bits); otherwise they become floats.
     */
    public static Contents read(Path file, boolean intsAsIntTensors) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = parseHeader(file, ch);
            Map<String, Tensor> floats = new LinkedHashMap<>();
            Map<String, IntTensor> ints = new LinkedHashMap<>();
            long largest = 0;
            for (TensorInfo t : header.tensors()) largest = Math.max(largest, t.end() - t.begin());
            int chunkBytes = (int) Math.min(CHUNK_BYTES, (largest + 7) / 8 * 8);
            ByteBuffer chunk = ByteBuffer.allocateDirect(chunkBytes).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo t : header.tensors()) {
                long position = header.dataStart() + t.begin();
                if (intsAsIntTensors && t.dtype().isInteger()) {
                    int[] values = new int[t.numel()];
                    readInts(file, ch, position, t, values, chunk);
                    ints.put(t.name(), IntTensor.of(values).reshape(t.shape()));
                } else {
                    float[] values = new float[t.numel()];
                    readFloats(file, ch, position, t, values, chunk);
                    floats.put(t.name(), Tensor.of(values, t.shape()));
                }
            }
            return new Contents(floats, ints, header.metadata());
        }
    }

    /** Parses and validates only the header: names, dtypes, shapes and byte ranges, without loading data. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parseHeader(file, ch);
        }
    }

    private static Header parseHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new FileFormatException(file, "file is " + size + " bytes long, shorter than the 8-byte header length; not a safetensors file, or truncated");
        }
        long n = readFully(file, ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new FileFormatException(file, "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes; not a safetensors file, or corrupt");
        }
        if (n > size - 8) {
            throw new FileFormatException(file, "header length " + n + " is larger than the " + (size - 8) + " bytes that follow it; truncated or not a safetensors file");
        }
        byte[] bytes = readFully(file, ch, 8, (int) n).array();
        if (n == 0 || bytes[0] != '{') throw new FileFormatException(file, "header does not start with '{'; not a safetensors file");
        // A NUL after the brace would make the JSON parser guess UTF-16 or UTF-32; the format is UTF-8 only.
        if (n > 1 && bytes[1] == 0) throw new FileFormatException(file, "header is not valid JSON (a NUL byte at byte 9; the header must be UTF-8)");

        // Streamed rather than read as a tree: each entry then costs a few times its JSON text, not dozens.
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (JsonParser json = HEADER_JSON.createParser(bytes)) {
            json.nextToken();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                long at = 8 + json.currentTokenLocation().getByteOffset();
                if (!names.add(name)) throw new FileFormatException(file, "header is not valid JSON (Duplicate field '" + name + "' at byte " + at + ")");
                json.nextToken();
                if (name.equals(METADATA)) parseMetadata(file, json, metadata);
                else tensors.add(parseEntry(file, name, at, json));
            }
            if (json.nextToken() != null) {
                throw new FileFormatException(file, "header is not valid JSON (content after the closing '}' at byte "
                        + (8 + json.currentTokenLocation().getByteOffset()) + ")");
            }
        } catch (JacksonException e) {
            throw new FileFormatException(file, "header is not valid JSON (" + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at byte " + (8 + e.getLocation().getByteOffset())) + ")", e);
        } catch (CharConversionException e) {
            throw new FileFormatException(file, "header is not valid UTF-8 JSON (" + e.getMessage() + ")", e);
        }
        long bufferBytes = size - 8 - n;
        checkLayout(file, tensors, 8 + n, bufferBytes);
        return new Header(Collections.unmodifiableList(tensors), Collections.unmodifiableMap(metadata), 8 + n);
    }

    private static void parseMetadata(Path file, JsonParser json, Map<String, String> out) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) throw new FileFormatException(file, "__metadata__ must be a JSON object of strings");
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String key = json.currentName();
            if (json.nextToken() != JsonToken.VALUE_STRING) {
                throw new FileFormatException(file, "__metadata__ value of '" + key + "' must be a string, got " + token(json));
            }
            if (out.put(key, json.getText()) != null) throw new FileFormatException(file, "__metadata__ has the key '" + key + "' twice");
        }
    }

    /** One tensor's entry, the parser on its first token; {@code at} is the entry's byte offset in the file, for errors. */
    private static TensorInfo parseEntry(Path file, String name, long at, JsonParser json) throws IOException {
        Supplier<String> where = () -> " (header entry at byte " + at + ")";
        if (json.currentToken() != JsonToken.START_OBJECT) {
            throw new FileFormatException(file, "entry for tensor '" + name + "' must be a JSON object, got " + token(json) + where.get());
        }
        DType dtype = null;
        int[] shape = null;
        long[] offsets = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            boolean again = field.equals("dtype") && dtype != null || field.equals("shape") && shape != null
                    || field.equals("data_offsets") && offsets != null;
            if (again) throw new FileFormatException(file, "tensor '" + name + "' has the field '" + field + "' twice" + where.get());
            switch (field) {
                case "dtype" -> dtype = dtype(file, name, json, where);
                case "shape" -> shape = ints(file, json, () -> "shape of tensor '" + name + "' must hold non-negative integers", Integer.MAX_VALUE, where);
                case "data_offsets" -> {
                    offsets = longs(file, json, () -> "data_offsets of tensor '" + name + "' must be [begin, end] integers", Long.MAX_VALUE, where);
                    if (offsets.length != 2) {
                        throw new FileFormatException(file, "data_offsets of tensor '" + name + "' must be [begin, end] integers, got "
                                + offsets.length + " numbers" + where.get());
                    }
                }
                default -> {
                    if (value.isStructStart()) json.skipChildren(); // other fields are not ours to judge
                }
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw new FileFormatException(file, "tensor '" + name + "' needs dtype, shape and data_offsets" + where.get());
        }
        long numel = 1; // capped at 2^31 so the product cannot overflow; a later 0 still gives 0
        for (int d : shape) numel = Math.min(numel * d, 1L << 31);
        if (numel > Integer.MAX_VALUE) {
            throw new FileFormatException(file, "tensor '" + name + "' of shape " + Shape.str(shape) + " has more than 2^31-1 elements" + where.get());
        }
        long begin = offsets[0], end = offsets[1];
        if (end < begin) {
            throw new FileFormatException(file, "data_offsets of tensor '" + name + "' must satisfy 0 <= begin <= end, got ["
                    + begin + "," + end + "]" + where.get());
        }
        long bytes = numel * dtype.bytes();
        if (end - begin != bytes) {
            throw new FileFormatException(file, "tensor '" + name + "' has data_offsets [" + begin + "," + end + "] (" + (end - begin)
                    + " bytes) but shape " + Shape.str(shape) + " of " + dtype + " needs " + bytes + " bytes" + where.get());
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static DType dtype(Path file, String name, JsonParser json, Supplier<String> where) throws IOException {
        if (json.currentToken() == JsonToken.VALUE_STRING) {
            for (DType d : DType.values()) if (d.name().equals(json.getText())) return d;
        }
        throw new FileFormatException(file, "tensor '" + name + "' has unsupported dtype " + token(json)
                + "; Gradus reads " + Arrays.toString(DType.values()) + where.get());
    }

    /** A JSON array of integers in {@code [0, max]}; {@code problem} says what is expected when it is not. */
    private static long[] longs(Path file, JsonParser json, Supplier<String> problem, long max, Supplier<String> where) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) throw new FileFormatException(file, problem.get() + ", got " + token(json) + where.get());
        long[] values = new long[2];
        int count = 0;
        while (json.nextToken() != JsonToken.END_ARRAY) {
            boolean fits = json.currentToken() == JsonToken.VALUE_NUMBER_INT && json.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                    && json.getLongValue() >= 0 && json.getLongValue() <= max;
            if (!fits) throw new FileFormatException(file, problem.get() + ", got " + token(json) + " at index " + count + where.get());
            if (count == values.length) values = Arrays.copyOf(values, 2 * count);
            values[count++] = json.getLongValue();
        }
        return count == values.length ? values : Arrays.copyOf(values, count);
    }

    private static int[] ints(Path file, JsonParser json, Supplier<String> problem, int max, Supplier<String> where) throws IOException {
        long[] values = longs(file, json, problem, max, where);
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) out[i] = (int) values[i];
        return out;
    }

    /** The current token for an error message: a value as written (cut when long), or the kind of structure. */
    private static String token(JsonParser json) throws IOException {
        JsonToken t = json.currentToken();
        if (t == JsonToken.START_OBJECT) return "an object";
        if (t == JsonToken.START_ARRAY) return "an array";
        String text = t == JsonToken.VALUE_STRING ? "\"" + json.getText() + "\"" : json.getText();
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    /** Sorts by offset and checks the tensors tile the byte buffer exactly: no overlap, no hole, nothing outside. */
    private static void checkLayout(Path file, List<TensorInfo> tensors, long dataStart, long bufferBytes) throws FileFormatException {
        for (TensorInfo t : tensors) {
            if (t.end() > bufferBytes) {
                throw new FileFormatException(file, "tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end()
                        + "] beyond the " + bufferBytes + "-byte data buffer (file bytes " + dataStart + " to " + (dataStart + bufferBytes)
                        + "); truncated file?");
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : tensors) {
            if (t.begin() < expected) {
                throw new FileFormatException(file, "tensor '" + t.name() + "' data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > expected) {
                throw new FileFormatException(file, "bytes [" + expected + ", " + t.begin() + ") of the data buffer belong to no tensor (a hole before '" + t.name() + "')");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != bufferBytes) {
            throw new FileFormatException(file, "the last " + (bufferBytes - expected) + " bytes of the data buffer belong to no tensor");
        }
    }

    private static ByteBuffer readFully(Path file, FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        fill(file, ch, position, buf);
        return buf.flip();
    }

    private static void fill(Path file, FileChannel ch, long position, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position);
            if (r < 0) throw new EOFException(file + ": file ended early (changed while reading?)");
            position += r;
        }
    }

    /** Streams one tensor's bytes through {@code chunk}; {@code decode} gets each full chunk and the element offset. */
    private static void stream(Path file, FileChannel ch, long position, TensorInfo t, ByteBuffer chunk, ChunkDecoder decode) throws IOException {
        long remaining = t.end() - t.begin();
        int element = 0;
        while (remaining > 0) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), remaining));
            fill(file, ch, position, chunk);
            chunk.flip();
            int count = chunk.limit() / t.dtype().bytes();
            decode.decode(chunk, element, count);
            element += count;
            position += chunk.limit();
            remaining -= chunk.limit();
        }
    }

    private interface ChunkDecoder {
        void decode(ByteBuffer chunk, int from, int count) throws IOException;
    }

    private static void readFloats(Path file, FileChannel ch, long position, TensorInfo t, float[] dst, ByteBuffer chunk) throws IOException {
        stream(file, ch, position, t, chunk, (b, from, count) -> {
            switch (t.dtype()) {
                case F32 -> b.asFloatBuffer().get(dst, from, count);
                case F64 -> {
                    var d = b.asDoubleBuffer();
                    for (int i = 0; i < count; i++) dst[from + i] = (float) d.get(i);
                }
                case F16 -> {
                    var s = b.asShortBuffer();
                    for (int i = 0; i < count; i++) dst[from + i] = Float.float16ToFloat(s.get(i));
                }
                case BF16 -> { // bfloat16 is the upper half of a float32
                    var s = b.asShortBuffer();
                    for (int i = 0; i < count; i++) dst[from + i] = Float.intBitsToFloat((s.get(i) & 0xffff) << 16);
                }
                case I32 -> {
                    var s = b.asIntBuffer();
                    for (int i = 0; i < count; i++) dst[from + i] = s.get(i);
                }
                case I64 -> {
                    var s = b.asLongBuffer();
                    for (int i = 0; i < count; i++) dst[from + i] = s.get(i);
                }
                case I8 -> { for (int i = 0; i < count; i++) dst[from + i] = b.get(i); }
                case U8 -> { for (int i = 0; i < count; i++) dst[from + i] = b.get(i) & 0xFF; }
            }
        });
    }

    private static void readInts(Path file, FileChannel ch, long position, TensorInfo t, int[] dst, ByteBuffer chunk) throws IOException {
        stream(file, ch, position, t, chunk, (b, from, count) -> {
            if (t.dtype() == DType.I32) {
                b.asIntBuffer().get(dst, from, count);
                return;
            }
            if (t.dtype() == DType.I8 || t.dtype() == DType.U8) {
                for (int i = 0; i < count; i++) dst[from + i] = t.dtype() == DType.I8 ? b.get(i) : b.get(i) & 0xFF;
                return;
            }
            var s = b.asLongBuffer();
            for (int i = 0; i < count; i++) {
                long v = s.get(i);
                if (v != (int) v) {
                    throw new FileFormatException(file, "I64 tensor '" + t.name() + "' holds " + v + ", which does not fit a 32-bit IntTensor");
                }
                dst[from + i] = (int) v;
            }
        });
    }
}
