package gradus.io.onnx;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The ONNX operators (default domain) that Gradus imports, by op_type. */
final class Operators {
    /** An operator: how many inputs it accepts, how many outputs it computes, and how to compile a node of it. */
    record Op(int minInputs, int maxInputs, int maxOutputs, OpFactory factory) {
        Op(int minInputs, int maxInputs, OpFactory factory) {
            this(minInputs, maxInputs, 1, factory);
        }
    }

    private static final Map<String, Op> OPS = new TreeMap<>();

    static {
        ElementwiseOps.register(OPS);
        ShapeOps.register(OPS);
        NeuralOps.register(OPS);
    }

    private Operators() {}

    /** The operator named {@code opType}, or null when Gradus does not implement it. */
    static Op get(String opType) {
        return OPS.get(opType);
    }

    /** Every supported op_type, sorted. */
    static Map<String, Op> all() {
        return Collections.unmodifiableMap(OPS);
    }
}
