package gradus.io.onnx;

import gradus.files.FileFormatException;
import gradus.io.onnx.proto.OnnxProto.StringStringEntryProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Decodes {@code TensorProto}s: raw little-endian bytes, the typed repeated fields, or an external
 * data file next to the model. Every size is checked against the bytes actually present before
 * anything is allocated, so a corrupt header cannot ask for more memory than the file holds.
 */
final class TensorData {
    private final Path modelFile;

    /** {@code modelFile} names errors and locates external data (relative to its folder). */
    TensorData(Path modelFile) {
        this.modelFile = modelFile;
    }

    Value decode(TensorProto t, String what) throws IOException {
        try {
            return decodeChecked(t, what);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(modelFile, e.getMessage(), e);
        }
    }

    private Value decodeChecked(TensorProto t, String what) throws IOException {
        DataType type = DataType.of(t.getDataType(), what);
        int[] shape = new int[t.getDimsCount()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0) throw new IllegalArgumentException(what + " has negative dimension " + d + " in dims " + t.getDimsList());
            numel *= d;
            if (numel > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " has dims " + t.getDimsList() + ", more elements than Gradus can hold");
            shape[i] = (int) d;
        }
        if (t.hasSegment()) throw new IllegalArgumentException(what + " is a segmented tensor, which Gradus does not read");
        int n = (int) numel;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) return fromBytes(external(t, what, (long) n * type.bytes), type, shape);
        if (t.hasRawData()) {
            long want = (long) n * type.bytes;
            if (t.getRawData().size() != want) {
                throw new IllegalArgumentException(what + " (" + type + " " + Shape.str(shape) + ") needs " + want
                        + " bytes of raw_data, the file has " + t.getRawData().size());
            }
            return fromBytes(t.getRawData().asReadOnlyByteBuffer(), type, shape);
        }
        return fromTyped(t, type, shape, n, what);
    }

    private static Value fromBytes(ByteBuffer raw, DataType type, int[] shape) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Shape.numel(shape);
        if (type.isFloat()) {
            float[] f = new float[n];
            switch (type) {
                case FLOAT -> b.asFloatBuffer().get(f);
                case DOUBLE -> { for (int i = 0; i < n; i++) f[i] = (float) b.getDouble(); }
                case FLOAT16 -> { for (int i = 0; i < n; i++) f[i] = Float.float16ToFloat(b.getShort()); }
                default -> { for (int i = 0; i < n; i++) f[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16); }
            }
            return Value.of(Tensor.of(f, shape));
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (type) {
                case INT8 -> b.get();
                case UINT8 -> b.get() & 0xff;
                case BOOL -> b.get() != 0 ? 1 : 0;
                case INT16 -> b.getShort();
                case UINT16 -> b.getShort() & 0xffff;
                case INT32 -> b.getInt();
                case UINT32 -> b.getInt() & 0xffffffffL;
                default -> b.getLong();
            };
        }
        return Value.ofInts(v, shape, type);
    }

    private static Value fromTyped(TensorProto t, DataType type, int[] shape, int n, String what) {
        switch (type) {
            case FLOAT -> {
                requireCount(what, "float_data", t.getFloatDataCount(), n);
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = t.getFloatData(i);
                return Value.of(Tensor.of(f, shape));
            }
            case DOUBLE -> {
                requireCount(what, "double_data", t.getDoubleDataCount(), n);
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float) t.getDoubleData(i);
                return Value.of(Tensor.of(f, shape));
            }
            case FLOAT16, BFLOAT16 -> {
                // Half floats travel as their 16 bits inside int32_data.
                requireCount(what, "int32_data", t.getInt32DataCount(), n);
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    int bits = t.getInt32Data(i) & 0xffff;
                    f[i] = type == DataType.FLOAT16 ? Float.float16ToFloat((short) bits) : Float.intBitsToFloat(bits << 16);
                }
                return Value.of(Tensor.of(f, shape));
            }
            case INT64 -> {
                requireCount(what, "int64_data", t.getInt64DataCount(), n);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
                return Value.ofInts(v, shape, type);
            }
            case UINT32, UINT64 -> {
                requireCount(what, "uint64_data", t.getUint64DataCount(), n);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = t.getUint64Data(i);
                return Value.ofInts(v, shape, type);
            }
            default -> {
                requireCount(what, "int32_data", t.getInt32DataCount(), n);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = type == DataType.BOOL ? (t.getInt32Data(i) != 0 ? 1 : 0) : t.getInt32Data(i);
                return Value.ofInts(v, shape, type);
            }
        }
    }

    private static void requireCount(String what, String field, int have, int want) {
        if (have != want) throw new IllegalArgumentException(what + " needs " + want + " values in " + field + ", the file has " + have);
    }

    /** Reads {@code want} bytes of an external data file, checking location, offset and length against the file. */
    private ByteBuffer external(TensorProto t, String what, long want) throws IOException {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(what, "offset", e.getValue());
                case "length" -> length = parseLong(what, "length", e.getValue());
                default -> { } // checksum and others are advisory
            }
        }
        if (location == null) throw new IllegalArgumentException(what + " is stored externally but has no 'location'");
        Path dir = modelFile.toAbsolutePath().getParent();
        Path file = dir.resolve(location).normalize();
        if (!file.startsWith(dir.normalize())) {
            throw new IllegalArgumentException(what + " points outside the model's folder: '" + location + "'");
        }
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(what + " refers to external data '" + location + "', which does not exist");
        if (length >= 0 && length != want) {
            throw new IllegalArgumentException(what + " needs " + want + " bytes of external data, its length says " + length);
        }
        if (want > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " is larger than 2 GiB");
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            if (offset > size || size - offset < want) {
                throw new IllegalArgumentException(what + " needs bytes [" + offset + ", " + (offset + want) + ") of '" + location
                        + "', which has " + size + " bytes");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) want);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) throw new IllegalArgumentException(what + ": '" + location + "' ended early");
            }
            return buf.flip();
        }
    }

    private static long parseLong(String what, String key, String v) {
        try {
            long x = Long.parseLong(v);
            if (x < 0) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " has external data " + key + " '" + v + "', not a non-negative integer");
        }
    }
}
