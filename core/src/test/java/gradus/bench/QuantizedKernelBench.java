package gradus.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import gradus.io.onnx.proto.OnnxProto.GraphProto;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.NodeProto;
import gradus.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.io.onnx.proto.OnnxProto.TensorShapeProto;
import gradus.io.onnx.proto.OnnxProto.TypeProto;
import gradus.io.onnx.proto.OnnxProto.ValueInfoProto;
import gradus.kernels.Gemm;
import gradus.kernels.HalfWeight;
import gradus.kernels.Int4Weight;
import gradus.kernels.Int8Gemm;
import gradus.kernels.Int8Weight;
import gradus.kernels.Machine;
import gradus.kernels.PackedWeight;
import gradus.kernels.Parallel;
import gradus.kernels.WeightProduct;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Y = X·Wᵀ for X [m, k] and a Linear weight W [n, k] (MiniLM's feed-forward shape: k = 384, n = 1536) in every
 * storage: Gradus's float32 Gemm (and PackedWeight for few rows), int8 (activations quantized per row, then
 * int8·int8 → int32), the raw int8 GEMM, int4/g32 and bf16 weights with float32 activations; ONNX Runtime's
 * float32 MatMul and its dynamic int8 pattern (DynamicQuantizeLinear → MatMulInteger → Cast → Mul, what
 * quantize_dynamic emits) on the same threads. Alternates the contenders and repeats; prints GFLOP/s (2mnk per
 * product) as min–max over the rounds. Run with
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) gradus.bench.QuantizedKernelBench [seconds] [rounds]
 * </pre>
 */
public final class QuantizedKernelBench {
    private static final int THREADS = 2, K = 384, N = 1536;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Parallel.setThreads(THREADS);
        System.out.println(Machine.current().describe());
        System.out.printf("Y = X·Wᵀ, W [%d, %d], %d threads, %s; GFLOP/s min-max over %d rounds%n", N, K, THREADS, Runtime.version(), rounds);
        Random r = new Random(1);
        float[] w = new float[N * K];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * 0.05f;
        Int8Weight i8 = Int8Weight.quantize(w, 0, N, K);
        Int4Weight i4 = Int4Weight.quantize(w, 0, N, K, 32);
        HalfWeight bf = HalfWeight.of(HalfWeight.Format.BF16, w, 0, N, K);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(THREADS);
        o.setInterOpNumThreads(1);
        o.addConfigEntry("session.intra_op.allow_spinning", "0"); // its idle threads would spin on the cores the next contender uses
        try (OrtSession ortF32 = env.createSession(matmul(w, false).toByteArray(), o);
             OrtSession ortI8 = env.createSession(matmul(w, true).toByteArray(), o)) {
            String[] names = {"Gradus f32", "Gradus int8", "int8 GEMM", "Gradus int4", "Gradus bf16", "ORT f32", "ORT int8"};
            System.out.printf("%-6s", "m");
            for (String n : names) System.out.printf(" %16s", n);
            System.out.println();
            for (int m : new int[]{1, 16, 128, 4096}) {
                float[] x = new float[m * K], y = new float[m * N];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                byte[] xq = new byte[m * K];
                for (int i = 0; i < m; i++) Int8Weight.quantizeRow(x, i * K, K, xq, i * K);
                int[] c = new int[m * N];
                WeightProduct packed = m <= 64 ? PackedWeight.of(w, 0, N, K) : null;
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{m, K});
                List<Body> bodies = List.of(
                        () -> { if (packed != null) packed.multiply(m, x, 0, K, null, false, y, 0, N); else Gemm.sgemm(false, true, m, N, K, 1f, x, 0, K, w, 0, K, 0f, y, 0, N); },
                        () -> i8.multiply(m, x, 0, K, null, false, y, 0, N),
                        () -> Int8Gemm.multiply(m, N, K, xq, K, i8.values(), K, c, N),
                        () -> i4.multiply(m, x, 0, K, null, false, y, 0, N),
                        () -> bf.multiply(m, x, 0, K, null, false, y, 0, N),
                        () -> { try (var res = ortF32.run(Map.of("x", in))) { res.get(0); } },
                        () -> { try (var res = ortI8.run(Map.of("x", in))) { res.get(0); } });
                double[][] g = new double[bodies.size()][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int b = 0; b < bodies.size(); b++) g[b][round] = 2.0 * m * N * K / time(seconds, bodies.get(b)) / 1e9;
                }
                System.out.printf("%-6d", m);
                for (double[] v : g) {
                    java.util.Arrays.sort(v);
                    System.out.printf(" %16s", String.format("%.1f-%.1f", v[0], v[v.length - 1]));
                }
                System.out.println();
                in.close();
            }
        }
    }

    /** Y = X·W for X [m, 384] as float32 MatMul, or as ORT's dynamic int8 pattern with W int8 per tensor. */
    private static ModelProto matmul(float[] w, boolean int8) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("matmul");
        g.addInput(value("x", 1, -1, K));
        g.addOutput(value("y", 1, -1, N));
        float[] wt = new float[K * N]; // [k, n]: ONNX MatMul's B
        for (int j = 0; j < N; j++) for (int p = 0; p < K; p++) wt[p * N + j] = w[j * K + p];
        if (!int8) {
            g.addInitializer(floats("w", wt, K, N));
            g.addNode(node("MatMul", "y", "x", "w"));
        } else {
            float amax = 0;
            for (float v : wt) amax = Math.max(amax, Math.abs(v));
            float scale = amax / 127;
            byte[] q = new byte[wt.length];
            for (int i = 0; i < q.length; i++) q[i] = (byte) Math.rint(wt[i] / scale);
            g.addInitializer(TensorProto.newBuilder().setName("wq").setDataType(3).addDims(K).addDims(N).setRawData(ByteString.copyFrom(q)));
            g.addInitializer(TensorProto.newBuilder().setName("wzp").setDataType(3).setRawData(ByteString.copyFrom(new byte[1])));
            g.addInitializer(floats("ws", new float[]{scale}));
            g.addNode(NodeProto.newBuilder().setOpType("DynamicQuantizeLinear").addInput("x").addOutput("xq").addOutput("xs").addOutput("xzp"));
            g.addNode(node("MatMulInteger", "acc", "xq", "wq", "xzp", "wzp"));
            g.addNode(NodeProto.newBuilder().setOpType("Cast").addInput("acc").addOutput("accf")
                    .addAttribute(gradus.io.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("to").setType(gradus.io.onnx.proto.OnnxProto.AttributeProto.AttributeType.INT).setI(1)));
            g.addNode(node("Mul", "s", "xs", "ws"));
            g.addNode(node("Mul", "y", "accf", "s"));
        }
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build();
    }

    private static NodeProto node(String op, String out, String... in) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).addOutput(out);
        for (String i : in) n.addInput(i);
        return n.build();
    }

    private static TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    private static ValueInfoProto value(String name, int type, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("m") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type).setShape(s))).build();
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** Median seconds per call over about {@code seconds} of calls, after two warm-up calls. */
    static double time(double seconds, Body body) throws Exception {
        for (int i = 0; i < 2; i++) body.run();
        List<Double> t = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long s = System.nanoTime();
            body.run();
            t.add((System.nanoTime() - s) / 1e9);
        } while (System.nanoTime() < end || t.size() < 3);
        t.sort(null);
        return t.get(t.size() / 2);
    }
}
