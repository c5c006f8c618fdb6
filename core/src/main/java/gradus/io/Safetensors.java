package gradus.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): a u64 little-endian header length, a JSON header giving
 * each tensor's dtype, shape and byte range, then the raw little-endian data. Reading only parses
 * JSON and copies numbers, so a file can never run code; every inconsistency is reported with the
 * file name. Gradus writes F32 (and I32 for integer tensors) and reads F32, F16, BF16, F64, I64, I32.
 */
public final class Safetensors {
    /** The reference implementation's cap; a larger header is treated as corruption. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";
    private static final int CHUNK_BYTES = 1 << 20; // a multiple of every element size

    private Safetensors() {}

    /** The element types Gradus can read, with their size in bytes. */
    public enum DType {
        F32(4, false), F16(2, false), BF16(2, false), F64(8, false), I64(8, true), I32(4, true);

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
        byte[] bytes = new byte[(int) n];
        readFully(file, ch, 8, (int) n).get(bytes);
        if (n == 0 || bytes[0] != '{') throw new FileFormatException(file, "header does not start with '{'; not a safetensors file");
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new FileFormatException(file, "header is not valid JSON (" + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset()) + ")", e);
        }
        if (!root.isObject()) throw new FileFormatException(file, "header is not a JSON object");

        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (var e : root.properties()) {
            if (e.getKey().equals(METADATA)) {
                parseMetadata(file, e.getValue(), metadata);
            } else {
                tensors.add(parseEntry(file, e.getKey(), e.getValue()));
            }
        }
        long bufferBytes = size - 8 - n;
        checkLayout(file, tensors, bufferBytes);
        return new Header(Collections.unmodifiableList(tensors), Collections.unmodifiableMap(metadata), 8 + n);
    }

    private static void parseMetadata(Path file, JsonNode node, Map<String, String> out) throws FileFormatException {
        if (!node.isObject()) throw new FileFormatException(file, "__metadata__ must be a JSON object of strings");
        for (var e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new FileFormatException(file, "__metadata__ value of '" + e.getKey() + "' must be a string, got " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node) throws FileFormatException {
        if (!node.isObject()) throw new FileFormatException(file, "entry for tensor '" + name + "' must be a JSON object, got " + node);
        JsonNode dtypeNode = node.get("dtype"), shapeNode = node.get("shape"), offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || offsetsNode == null) {
            throw new FileFormatException(file, "tensor '" + name + "' needs dtype, shape and data_offsets, got " + node);
        }
        DType dtype = dtype(file, name, dtypeNode);
        if (!shapeNode.isArray()) throw new FileFormatException(file, "shape of tensor '" + name + "' must be a list, got " + shapeNode);
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw new FileFormatException(file, "shape of tensor '" + name + "' must hold non-negative integers, got " + shapeNode);
            }
            shape[i] = d.intValue();
            numel = Math.min(numel * shape[i], 1L << 31); // capped so it cannot overflow; a later 0 still gives 0
        }
        if (numel > Integer.MAX_VALUE) {
            throw new FileFormatException(file, "tensor '" + name + "' of shape " + Shape.str(shape) + " has more than 2^31-1 elements");
        }
        if (!offsetsNode.isArray() || offsetsNode.size() != 2
                || !offsetsNode.get(0).isIntegralNumber() || !offsetsNode.get(0).canConvertToLong()
                || !offsetsNode.get(1).isIntegralNumber() || !offsetsNode.get(1).canConvertToLong()) {
            throw new FileFormatException(file, "data_offsets of tensor '" + name + "' must be [begin, end] integers, got " + offsetsNode);
        }
        long begin = offsetsNode.get(0).longValue(), end = offsetsNode.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw new FileFormatException(file, "data_offsets of tensor '" + name + "' must satisfy 0 <= begin <= end, got " + offsetsNode);
        }
        if (end - begin != numel * dtype.bytes()) {
            throw new FileFormatException(file, "tensor '" + name + "' has data_offsets " + offsetsNode + " (" + (end - begin)
                    + " bytes) but shape " + Shape.str(shape) + " of " + dtype + " needs " + numel * dtype.bytes() + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static DType dtype(Path file, String name, JsonNode node) throws FileFormatException {
        if (node.isTextual()) {
            for (DType d : DType.values()) if (d.name().equals(node.textValue())) return d;
        }
        throw new FileFormatException(file, "tensor '" + name + "' has unsupported dtype " + node
                + "; Gradus reads " + Arrays.toString(DType.values()));
    }

    /** Sorts by offset and checks the tensors tile the byte buffer exactly: no overlap, no hole, nothing outside. */
    private static void checkLayout(Path file, List<TensorInfo> tensors, long bufferBytes) throws FileFormatException {
        for (TensorInfo t : tensors) {
            if (t.end() > bufferBytes) {
                throw new FileFormatException(file, "tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end()
                        + "] beyond the " + bufferBytes + "-byte data buffer; truncated file?");
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
            }
        });
    }

    private static void readInts(Path file, FileChannel ch, long position, TensorInfo t, int[] dst, ByteBuffer chunk) throws IOException {
        stream(file, ch, position, t, chunk, (b, from, count) -> {
            if (t.dtype() == DType.I32) {
                b.asIntBuffer().get(dst, from, count);
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
