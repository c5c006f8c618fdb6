package gradus.autograd;

import gradus.tensor.Tensor;

/**
 * One recorded operation: its inputs and how to turn the gradient of its output into
 * gradients of those inputs. {@code backward} returns one entry per input (null where
 * that input needs none).
 */
public record Node(String op, Tensor[] inputs, Backward backward) {

    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }
}
