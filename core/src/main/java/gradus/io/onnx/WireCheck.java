package gradus.io.onnx;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

import java.util.HashMap;
import java.util.Map;

/**
 * Finds where a protobuf message is broken, for error messages: walks the wire format guided by
 * the message descriptors (so the path names ONNX fields, like {@code graph.initializer[3].raw_data})
 * and reports the first field whose tag, length or value does not fit in the bytes that remain.
 */
final class WireCheck {
    private final byte[] data;
    private int pos;

    private WireCheck(byte[] data) {
        this.data = data;
    }

    /** The problem with {@code data} as a {@code type} message, or null when the wire format is sound. */
    static String locate(byte[] data, Descriptor type) {
        WireCheck w = new WireCheck(data);
        try {
            w.message(type, data.length, type.getName(), 0);
            return null;
        } catch (Broken b) {
            return b.getMessage();
        }
    }

    private static final class Broken extends RuntimeException {
        Broken(String message) {
            super(message, null, false, false);
        }
    }

    private void message(Descriptor type, int end, String path, int depth) {
        if (depth > 100) throw new Broken("messages nested more than 100 deep at " + path);
        Map<Integer, Integer> seen = new HashMap<>();
        while (pos < end) {
            int tagAt = pos;
            long tag = varint(end, path + " (a field tag)");
            int number = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (number <= 0) throw new Broken("invalid field number " + number + " at byte " + tagAt + " in " + path);
            FieldDescriptor f = type == null ? null : type.findFieldByNumber(number);
            String name = path + "." + (f == null ? "#" + number : f.getName());
            if (f != null && f.isRepeated()) name += "[" + seen.merge(number, 1, Integer::sum) + "]";
            switch (wire) {
                case 0 -> varint(end, name);
                case 1 -> skip(8, end, name, tagAt);
                case 5 -> skip(4, end, name, tagAt);
                case 2 -> {
                    long len = varint(end, name + " (its length)");
                    if (len > end - pos) {
                        // In a truncated file, look inside the cut message for the innermost field that is cut.
                        if (f != null && f.getType() == FieldDescriptor.Type.MESSAGE && end == data.length) {
                            message(f.getMessageType(), end, name, depth + 1);
                        }
                        throw new Broken(name + " at byte " + tagAt + " declares " + len + " bytes, but only " + (end - pos)
                                + " remain" + (end == data.length ? " in the file (truncated?)" : " in its enclosing message"));
                    }
                    int stop = pos + (int) len;
                    if (f != null && f.getType() == FieldDescriptor.Type.MESSAGE) {
                        message(f.getMessageType(), stop, name, depth + 1);
                    } else {
                        pos = stop;
                    }
                }
                default -> throw new Broken("field " + name + " at byte " + tagAt + " has unsupported wire type " + wire);
            }
        }
        if (pos != end) throw new Broken(path + " overruns its length at byte " + pos);
    }

    private long varint(int end, String what) {
        int start = pos;
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw new Broken(what + " at byte " + start + " is cut off" + (end == data.length ? " by the end of the file (truncated?)" : ""));
            byte b = data[pos++];
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) return v;
        }
        throw new Broken(what + " at byte " + start + " is not a valid varint");
    }

    private void skip(int n, int end, String what, int at) {
        if (end - pos < n) throw new Broken(what + " at byte " + at + " needs " + n + " bytes, only " + (end - pos) + " remain");
        pos += n;
    }
}
