package gradus.io.onnx;

/** One node compiled for execution: computes its output from its inputs (null for an omitted optional input). */
@FunctionalInterface
interface Kernel {
    Value run(Value[] inputs);
}
