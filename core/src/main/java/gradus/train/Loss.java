package gradus.train;

import gradus.data.Batch;
import gradus.nn.Losses;
import gradus.nn.Reduction;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/** The training objective: model output and batch in, scalar loss out. */
@FunctionalInterface
public interface Loss {
    Tensor compute(Tensor output, Batch batch);

    /**
     * Cross-entropy from logits [N, C] against class labels; sequence logits [B, T, C] against labels
     * [B, T] (language models) give the mean over all tokens.
     */
    static Loss crossEntropy() {
        return crossEntropy(0f);
    }

    /** Cross-entropy with label smoothing ε. */
    static Loss crossEntropy(float labelSmoothing) {
        return (out, b) -> {
            IntTensor labels = requireLabels(b, "cross_entropy");
            if (out.dim() > 2 && labels.numel() * out.size(-1) == out.numel()) {
                out = out.reshape(-1, out.size(-1));
                labels = labels.reshape(labels.numel());
            }
            return Losses.crossEntropy(out, labels, null, labelSmoothing, Reduction.MEAN);
        };
    }

    /** Mean squared error against float targets (shapes [N] and [N, 1] are treated alike). */
    static Loss mse() {
        return (out, b) -> Losses.mse(out, alignTargets(out, requireTargets(b, "mse")));
    }

    static Loss l1() {
        return (out, b) -> Losses.l1(out, alignTargets(out, requireTargets(b, "l1")));
    }

    /** Binary cross-entropy on logits; targets are 0/1 floats, or labels 0/1. */
    static Loss bceWithLogits() {
        return (out, b) -> Losses.bceWithLogits(out, alignTargets(out, b.targets() != null ? b.targets() : b.labels().toFloat()));
    }

    /** Binary cross-entropy on probabilities (a model ending in Sigmoid). */
    static Loss bce() {
        return (out, b) -> Losses.bce(out, alignTargets(out, b.targets() != null ? b.targets() : b.labels().toFloat()));
    }

    /** The loss name of a config value: a name, or a mapping with a {@code type}. */
    static String nameOf(Object spec) {
        return spec instanceof java.util.Map<?, ?> m ? String.valueOf(m.get("type")) : String.valueOf(spec);
    }

    /** Resolves a config name: cross_entropy, mse, l1, bce_with_logits, bce. */
    static Loss named(String name, float labelSmoothing) {
        return switch (name.toLowerCase().replace('-', '_')) {
            case "cross_entropy", "crossentropy" -> labelSmoothing > 0 ? crossEntropy(labelSmoothing) : crossEntropy();
            case "mse" -> mse();
            case "l1", "mae" -> l1();
            case "bce_with_logits" -> bceWithLogits();
            case "bce" -> bce();
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "'; known: cross_entropy, mse, l1, bce_with_logits, bce");
        };
    }

    private static IntTensor requireLabels(Batch b, String loss) {
        if (b.labels() == null) throw new IllegalArgumentException(loss + " needs class labels, but the data has float targets");
        return b.labels();
    }

    private static Tensor requireTargets(Batch b, String loss) {
        if (b.targets() != null) return b.targets();
        return b.labels().toFloat();
    }

    /** [N] targets against [N, 1] outputs (and back) are reshaped; other mismatches fail naming both shapes. */
    private static Tensor alignTargets(Tensor out, Tensor targets) {
        if (out.numel() == targets.numel() && !java.util.Arrays.equals(out.shape(), targets.shape())) {
            return targets.reshape(out.shape());
        }
        if (!java.util.Arrays.equals(out.shape(), targets.shape())) {
            throw new IllegalArgumentException("model output shape " + Shape.str(out.shape())
                    + " does not match target shape " + Shape.str(targets.shape()));
        }
        return targets;
    }
}
