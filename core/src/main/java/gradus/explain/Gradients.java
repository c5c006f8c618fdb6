package gradus.explain;

import gradus.tensor.IntTensor;
import gradus.autograd.GradMode;
import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/** Gradients of one output with respect to the inputs, for a whole batch in one forward and backward pass. */
public final class Gradients {
    private Gradients() {}

    /** d output[i, target] / d batch[i] for every row i, and the outputs themselves. */
    public record Result(Tensor gradients, Tensor outputs) {}

    public static Result of(UnaryOperator<Tensor> model, Tensor batch, int target) {
        int[] targets = new int[batch.size(0)];
        java.util.Arrays.fill(targets, target);
        return of(model, batch, targets);
    }

    /** Row i differentiates output column targets[i]; the rows do not interact, so one backward pass serves all. */
    public static Result of(UnaryOperator<Tensor> model, Tensor batch, int[] targets) {
        int n = batch.size(0);
        if (targets.length != n) throw new IllegalArgumentException(targets.length + " targets for a batch of " + n);
        Tensor x = leaf(batch);
        try (var g = GradMode.inputGradients(x)) { // the parameters' gradients are neither computed nor touched
            Tensor out = model.apply(x);
            Tensor picked = pick(out, n, targets);
            if (!picked.requiresGrad()) {
                throw new IllegalArgumentException("the model's output does not depend differentiably on its input "
                        + "(token ids, or an operation without a gradient): use a perturbation method such as occlusion, lime or shap");
            }
            picked.sum().backward();
            Tensor grad = x.grad() == null ? Tensor.zerosLike(x) : x.grad();
            return new Result(grad, out.detach());
        }
    }

    /** out[i, targets[i]] as [N]. */
    static Tensor pick(Tensor out, int n, int[] targets) {
        boolean same = true;
        for (int t : targets) same &= t == targets[0];
        if (same) return Outputs.column(out, n, targets[0]);
        Outputs.column(out, n, max(targets)); // range check with a clear message
        Tensor rows = out.reshape(n, -1);
        return rows.gather(1, IntTensor.of(targets.clone(), n, 1)).reshape(n);
    }

    private static int max(int[] a) {
        int m = a[0];
        for (int v : a) m = Math.max(m, v);
        return m;
    }

    /** A fresh leaf with the values of {@code batch}, whose gradient backward fills. */
    static Tensor leaf(Tensor batch) {
        return Tensor.of(batch.toArray(), batch.shape()).requiresGrad(true);
    }
}
