package gradus.autograd;

import gradus.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Reverse-mode differentiation: walks the recorded graph from a root in reverse topological order. */
public final class Engine {
    private Engine() {}

    /** Accumulates d(root)/d(leaf) into {@code leaf.grad()} for every leaf that requires grad. */
    public static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() on a tensor that does not require grad "
                    + "(no input had requiresGrad, or it was computed under GradMode.noGrad())");
        }
        if (!Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(seed.shape())
                    + " does not match tensor shape " + Arrays.toString(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var g = GradMode.noGrad()) {
            for (Tensor t : order) {
                Tensor grad = grads.remove(t);
                if (grad == null) continue;
                Node node = t.gradFn();
                if (node == null) {
                    t.accumulateGrad(grad);
                    continue;
                }
                Tensor[] inputGrads = node.backward().apply(grad);
                Tensor[] inputs = node.inputs();
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    if (in == null || !in.requiresGrad() || inputGrads[i] == null) continue;
                    Tensor gi = inputGrads[i];
                    if (!Arrays.equals(gi.shape(), in.shape())) {
                        throw new IllegalStateException("internal: backward of " + node.op() + " gave gradient "
                                + Arrays.toString(gi.shape()) + " for input " + Arrays.toString(in.shape()));
                    }
                    if (gi.dtype() != in.dtype()) gi = gi.to(in.dtype()); // a float32 constant met a float64 input
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? gi : prev.add(gi));
                }
            }
        }
    }

    /** Root first; every node before its inputs. Iterative, so deep graphs (long RNNs) cannot overflow the stack. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> post = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            while (next < inputs.length && (inputs[next] == null || !inputs[next].requiresGrad()
                    || seen.containsKey(inputs[next]))) next++;
            if (next < inputs.length) {
                frame[1] = next + 1;
                seen.put(inputs[next], Boolean.TRUE);
                stack.push(new Object[]{inputs[next], 0});
            } else {
                stack.pop();
                post.add(t);
            }
        }
        Collections.reverse(post);
        return post;
    }
}
