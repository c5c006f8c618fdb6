package gradus.io.onnx;

/** One node compiled for execution: computes its output from its inputs (null for an omitted optional input). */
@FunctionalInterface
interface Kernel {
    Value run(Value[] inputs);

    /** Every output, in order; operators with several outputs (Split) override this. */
    default Value[] runAll(Value[] inputs) {
        return new Value[]{run(inputs)};
    }
}
