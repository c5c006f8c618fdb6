package gradus.io.onnx;

import java.io.IOException;

/** Compiles a node into a {@link Kernel} at load time, rejecting attribute values Gradus does not implement. */
@FunctionalInterface
interface OpFactory {
    Kernel create(Attributes attributes, int opset) throws IOException;
}
