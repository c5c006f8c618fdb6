package gradus.serve;


import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A KServe v2 inference request, read by {@link JsonScanner} straight into float arrays.
 * Numeric inputs of any datatype (and BOOL) are read as float32 (the datatype is kept: {@link KServeApi}
 * accepts only the model's own); data may be nested or flat, or come after the JSON header as raw
 * little-endian bytes (Triton's binary tensor extension).
 */
record InferRequest(String id, Map<String, Object> parameters, List<Input> inputs, List<Output> outputs) {

    /** One input tensor; {@code data} holds numel(shape) values. */
    record Input(String name, int[] shape, String datatype, float[] data) {}

    /** A requested output; {@code binary}: its {@code parameters.binary_data}, null when not given (the request-level setting decides). */
    record Output(String name, Boolean binary) {}

    // The fast (and exact) number parser: the JDK's Float.parseFloat made parsing the bulk of an inference's cost.
    /**
     * @param body       the whole request body
     * @param jsonLength the JSON header's length ({@code Inference-Header-Content-Length}), or -1 when all of it is JSON
     */
    static InferRequest parse(byte[] body, int jsonLength) {
        if (jsonLength < 0) jsonLength = body.length;
        if (jsonLength > body.length) {
            throw ApiException.badRequest("Inference-Header-Content-Length " + jsonLength + " exceeds the body's " + body.length + " bytes");
        }
        JsonScanner s = new JsonScanner(body, jsonLength);
        if (s.peek() != '{') throw ApiException.badRequest("the request must be a JSON object");
        String id = null;
        Map<String, Object> parameters = Map.of();
        List<RawInput> inputs = null;
        List<Output> outputs = null;
        if (s.openObject()) {
            do {
                switch (s.key()) {
                    case "id" -> id = String.valueOf(s.value(0));
                    case "parameters" -> parameters = map(s.value(0), "parameters");
                    case "inputs" -> inputs = readInputs(s);
                    case "outputs" -> outputs = readOutputs(s);
                    default -> s.value(0);
                }
            } while (s.more('}'));
            s.expect('}');
        }
        if (s.peek() != -1) throw s.error("unexpected content after the request object");
        if (inputs == null) throw ApiException.badRequest("'inputs' is required");
        List<Input> resolved = new ArrayList<>(inputs.size());
        int at = jsonLength;
        for (RawInput in : inputs) {
            if (in.binarySize >= 0) {
                if ((long) at + in.binarySize > body.length) {
                    throw ApiException.badRequest("input '" + in.name + "': binary_data_size " + in.binarySize + " runs past the end of the body");
                }
                resolved.add(new Input(in.name, in.shape, in.datatype, decodeBinary(in, body, at)));
                at += (int) in.binarySize;
            } else {
                if (in.data == null) throw ApiException.badRequest("input '" + in.name + "' has neither 'data' nor parameters.binary_data_size");
                long numel = numel(in.shape);
                if (in.data.size() != numel) {
                    throw ApiException.badRequest("input '" + in.name + "' has " + in.data.size() + " values but shape " + java.util.Arrays.toString(in.shape) + " needs " + numel);
                }
                resolved.add(new Input(in.name, in.shape, in.datatype, in.data.toArray()));
            }
        }
        return new InferRequest(id, parameters, resolved, outputs);
    }

    boolean binaryOutputs() {
        return Boolean.TRUE.equals(parameters.get("binary_data_output"));
    }

    private static final class RawInput {
        String name, datatype;
        int[] shape;
        FloatList data;
        long binarySize = -1;
    }

    private static List<RawInput> readInputs(JsonScanner s) {
        if (s.peek() != '[') throw ApiException.badRequest("'inputs' must be an array");
        s.expect('[');
        List<RawInput> out = new ArrayList<>();
        if (s.peek() == ']') {
            s.expect(']');
            return out;
        }
        do {
            if (s.peek() != '{') throw ApiException.badRequest("each input must be an object");
            RawInput in = new RawInput();
            if (s.openObject()) {
                do {
                    switch (s.key()) {
                        case "name" -> in.name = string(s.value(0), "name");
                        case "datatype" -> in.datatype = string(s.value(0), "datatype");
                        case "shape" -> in.shape = shape(s.value(0));
                        case "parameters" -> {
                            Object size = map(s.value(0), "input parameters").get("binary_data_size");
                            if (size != null) {
                                if (!(size instanceof Long n) || n < 0) throw ApiException.badRequest("binary_data_size must be a non-negative integer");
                                in.binarySize = n;
                            }
                        }
                        case "data" -> {
                            in.data = new FloatList();
                            s.floats(in.data, 0);
                        }
                        default -> s.value(0);
                    }
                } while (s.more('}'));
                s.expect('}');
            }
            if (in.name == null || in.shape == null || in.datatype == null) {
                throw ApiException.badRequest("each input needs 'name', 'shape' and 'datatype'" + (in.name == null ? "" : " (input '" + in.name + "')"));
            }
            if (Datatype.of(in.datatype) == null) {
                throw ApiException.badRequest("input '" + in.name + "': unsupported datatype '" + in.datatype + "'; numeric types, BOOL, FP16 and BF16 are accepted");
            }
            out.add(in);
        } while (s.more(']'));
        s.expect(']');
        return out;
    }

    private static List<Output> readOutputs(JsonScanner s) {
        if (!(s.value(0) instanceof List<?> list)) throw ApiException.badRequest("'outputs' must be an array");
        List<Output> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)) throw ApiException.badRequest("each output needs a 'name'");
            Object binary = m.get("parameters") instanceof Map<?, ?> p ? p.get("binary_data") : null;
            if (binary != null && !(binary instanceof Boolean)) throw ApiException.badRequest("output '" + name + "': binary_data must be true or false");
            out.add(new Output(name, (Boolean) binary));
        }
        return out;
    }

    private static int[] shape(Object v) {
        if (!(v instanceof List<?> l)) throw ApiException.badRequest("'shape' must be an array of integers");
        int[] shape = new int[l.size()];
        for (int k = 0; k < shape.length; k++) {
            if (!(l.get(k) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw ApiException.badRequest("'shape' must hold non-negative integers, got " + l.get(k));
            }
            shape[k] = (int) (long) d;
        }
        return shape;
    }

    private static String string(Object v, String what) {
        if (!(v instanceof String s)) throw ApiException.badRequest("'" + what + "' must be a string");
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String what) {
        if (!(v instanceof Map<?, ?> m)) throw ApiException.badRequest("'" + what + "' must be an object");
        return (Map<String, Object>) m;
    }

    /** Elements a tensor may have: a Java array's limit (the body's size bounds real requests far below it). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** The element count of a shape, in exact arithmetic: 400 when it exceeds {@link #MAX_ELEMENTS}. */
    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, (long) d); // ≤ MAX_ELEMENTS × Integer.MAX_VALUE: cannot overflow a long
            if (n > MAX_ELEMENTS) {
                throw ApiException.badRequest("shape " + java.util.Arrays.toString(shape) + " has more than " + MAX_ELEMENTS
                        + " elements");
            }
        }
        return n;
    }

    private static float[] decodeBinary(RawInput in, byte[] body, int at) {
        Datatype type = Datatype.of(in.datatype);
        long numel = numel(in.shape);
        if (numel * type.bytes != in.binarySize) {
            throw ApiException.badRequest("input '" + in.name + "': binary_data_size " + in.binarySize + " does not match shape "
                    + java.util.Arrays.toString(in.shape) + " of " + in.datatype + " (" + numel * type.bytes + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(body, at, (int) in.binarySize).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) numel];
        for (int i = 0; i < out.length; i++) out[i] = type.read(b);
        return out;
    }

    /** The v2 datatypes that convert to float32. */
    enum Datatype {
        BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8), INT8(1), INT16(2), INT32(4), INT64(8), FP16(2), BF16(2), FP32(4), FP64(8);

        final int bytes;

        Datatype(int bytes) {
            this.bytes = bytes;
        }

        static Datatype of(String name) {
            for (Datatype d : values()) if (d.name().equals(name)) return d;
            return null;
        }

        float read(ByteBuffer b) {
            return switch (this) {
                case BOOL, UINT8 -> b.get() & 0xFF;
                case INT8 -> b.get();
                case UINT16 -> b.getShort() & 0xFFFF;
                case INT16 -> b.getShort();
                case UINT32 -> b.getInt() & 0xFFFFFFFFL;
                case INT32 -> b.getInt();
                case UINT64 -> {
                    long v = b.getLong();
                    yield v >= 0 ? (float) v : (float) (v >>> 1) * 2f; // above 2^63: float has no finer steps there anyway
                }
                case INT64 -> b.getLong();
                case FP16 -> Float.float16ToFloat(b.getShort());
                case BF16 -> Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                case FP32 -> b.getFloat();
                case FP64 -> (float) b.getDouble();
            };
        }
    }

    /** A growable float array (no boxing while parsing). */
    static final class FloatList {
        private float[] a = new float[256];
        private int n;

        void add(float v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
