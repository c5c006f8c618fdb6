package gradus.io.onnx;

import gradus.io.onnx.proto.OnnxProto.AttributeProto;
import gradus.io.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import gradus.io.onnx.proto.OnnxProto.NodeProto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node's attributes by name, read with defaults; errors name the node and the attribute. */
final class Attributes {
    private final Map<String, AttributeProto> byName = new LinkedHashMap<>();
    private final String node;
    private final TensorData tensors;
    private final int outputs;
    private final ElementLimit limit;

    Attributes(NodeProto n, String node, TensorData tensors, ElementLimit limit) {
        for (AttributeProto a : n.getAttributeList()) byName.put(a.getName(), a);
        this.node = node;
        this.tensors = tensors;
        this.outputs = n.getOutputCount();
        this.limit = limit;
    }

    /** The model's cap on the size of computed values, for kernels that allocate from data-dependent shapes. */
    ElementLimit limit() {
        return limit;
    }

    /** How many outputs the node declares. */
    int outputCount() {
        return outputs;
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    long i(String name, long def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : expect(a, AttributeType.INT).getI();
    }

    int integer(String name, int def) {
        long v = i(name, def);
        if (v != (int) v) throw new IllegalArgumentException(node + ": attribute " + name + "=" + v + " is out of range");
        return (int) v;
    }

    float f(String name, float def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : expect(a, AttributeType.FLOAT).getF();
    }

    String s(String name, String def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : expect(a, AttributeType.STRING).getS().toString(StandardCharsets.UTF_8);
    }

    /** The INTS attribute, or null when absent. */
    long[] longs(String name) {
        AttributeProto a = byName.get(name);
        if (a == null) return null;
        List<Long> v = expect(a, AttributeType.INTS).getIntsList();
        long[] out = new long[v.size()];
        for (int k = 0; k < out.length; k++) out[k] = v.get(k);
        return out;
    }

    /** The INTS attribute as ints, or {@code def} when absent. */
    int[] ints(String name, int[] def) {
        long[] v = longs(name);
        if (v == null) return def;
        int[] out = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            if (v[k] != (int) v[k]) throw new IllegalArgumentException(node + ": attribute " + name + " value " + v[k] + " is out of range");
            out[k] = (int) v[k];
        }
        return out;
    }

    float[] floats(String name) {
        AttributeProto a = byName.get(name);
        if (a == null) return null;
        List<Float> v = expect(a, AttributeType.FLOATS).getFloatsList();
        float[] out = new float[v.size()];
        for (int k = 0; k < out.length; k++) out[k] = v.get(k);
        return out;
    }

    /** The TENSOR attribute decoded, or null when absent. */
    Value tensor(String name) throws IOException {
        AttributeProto a = byName.get(name);
        return a == null ? null : tensors.decode(expect(a, AttributeType.TENSOR).getT(), node + " attribute " + name);
    }

    /** Fails when the attribute is present with a value other than {@code supported}. */
    void requireDefault(String name, long supported, String why) {
        if (i(name, supported) != supported) {
            throw new IllegalArgumentException(node + ": attribute " + name + "=" + i(name, supported) + " is not supported (" + why + ")");
        }
    }

    private AttributeProto expect(AttributeProto a, AttributeType type) {
        // Files before IR version 2 carry no type; trust the field that is set.
        if (a.hasType() && a.getType() != type) {
            throw new IllegalArgumentException(node + ": attribute " + a.getName() + " has type " + a.getType() + ", expected " + type);
        }
        return a;
    }
}
