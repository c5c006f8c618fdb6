package gradus.io.onnx;

import com.google.protobuf.ByteString;
import gradus.io.onnx.proto.OnnxProto.AttributeProto;
import gradus.io.onnx.proto.OnnxProto.GraphProto;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.NodeProto;
import gradus.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.io.onnx.proto.OnnxProto.TensorShapeProto;
import gradus.io.onnx.proto.OnnxProto.TypeProto;
import gradus.io.onnx.proto.OnnxProto.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds small ONNX models by hand for tests. */
final class GraphBuilder {
    private final GraphProto.Builder g = GraphProto.newBuilder().setName("test");
    private final int opset;

    GraphBuilder(int opset) {
        this.opset = opset;
    }

    GraphBuilder input(String name, int elemType, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("n") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        g.addInput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))));
        return this;
    }

    GraphBuilder output(String name) {
        g.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(1))));
        return this;
    }

    GraphBuilder node(String op, String[] inputs, String output, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output + "_node").addOutput(output);
        for (String i : inputs) n.addInput(i);
        for (AttributeProto a : attrs) n.addAttribute(a);
        g.addNode(n);
        return this;
    }

    GraphBuilder floats(String name, float[] v, long... dims) {
        g.addInitializer(floatTensor(name, v, dims));
        return this;
    }

    GraphBuilder longs(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        g.addInitializer(t);
        return this;
    }

    GraphBuilder initializer(TensorProto t) {
        g.addInitializer(t);
        return this;
    }

    static TensorProto floatTensor(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    ModelProto build() {
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build();
    }

    static AttributeProto i(String name, long v) {
        return OnnxExporter.attr(name, v);
    }

    static AttributeProto ints(String name, long... v) {
        return OnnxExporter.attr(name, v);
    }
}
