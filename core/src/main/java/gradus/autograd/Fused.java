package gradus.autograd;

import gradus.tensor.Tensor;

/**
 * An op that does in one pass what a chain of primitive ops does. It declares that chain, so the contract test
 * checks fused == composite (values and gradients) and the reference backend can stand on primitives it trusts.
 */
public sealed interface Fused extends Op permits LinalgOps.Linear,
        LossOps.CrossEntropy, LossOps.Nll, LossOps.BceWithLogits, LossOps.Bce,
        NormOps.BatchNorm, NormOps.LayerNorm,
        ConvOps.Conv2d, ConvOps.ConvTranspose2d, ConvOps.MaxPool2d, ConvOps.AvgPool2d,
        LossOps.L1Penalty, LossOps.L2Penalty, IndexingOps.Embedding,
        AttentionOps.Attention, AttentionOps.PackedAttention, AttentionOps.Rotary, RecurrentOps.Layer {

    /** The same result from primitive ops (recorded as those ops when grad is on). */
    Tensor composite(Tensor... inputs);
}
