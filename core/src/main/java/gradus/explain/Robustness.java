package gradus.explain;

import gradus.autograd.GradMode;
import gradus.tensor.Tensor;

import java.util.function.UnaryOperator;

/** Accuracy on clean and on adversarial inputs, the standard robustness report. */
public final class Robustness {
    private Robustness() {}

    /**
     * @param cleanAccuracy  fraction of examples classified right as given
     * @param robustAccuracy fraction classified right after the attack
     * @param maxLinf        the largest ‖x_adv − x‖∞ seen (≤ ε for a correct attack)
     */
    public record Result(String attack, int examples, double cleanAccuracy, double robustAccuracy, double maxLinf) {}

    /** Attacks every example of x [N, ...] with true classes labels, batchSize at a time. */
    public static Result evaluate(UnaryOperator<Tensor> model, Tensor x, int[] labels, Attack attack, int batchSize) {
        int n = x.size(0);
        if (labels.length != n) throw new IllegalArgumentException(labels.length + " labels for " + n + " examples");
        int clean = 0, robust = 0;
        double maxLinf = 0;
        for (int start = 0; start < n; start += batchSize) {
            int m = Math.min(batchSize, n - start);
            Tensor xb = x.narrow(0, start, m).contiguous();
            int[] yb = java.util.Arrays.copyOfRange(labels, start, start + m);
            Tensor adv = attack.perturb(model, xb, yb);
            maxLinf = Math.max(maxLinf, adv.sub(xb).abs().max().item());
            try (var g = GradMode.noGrad()) {
                clean += correct(model.apply(xb), yb);
                robust += correct(model.apply(adv), yb);
            }
        }
        return new Result(attack.describe(), n, (double) clean / n, (double) robust / n, maxLinf);
    }

    private static int correct(Tensor out, int[] labels) {
        int[] p = Outputs.argmax(out);
        int c = 0;
        for (int i = 0; i < labels.length; i++) if (p[i] == labels[i]) c++;
        return c;
    }
}
