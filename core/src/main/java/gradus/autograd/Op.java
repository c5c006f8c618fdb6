package gradus.autograd;

import gradus.tensor.Tensor;

/**
 * One differentiable operation (like {@code torch.autograd.Function}): a value holding the op's attributes,
 * with its forward and its backward in one place. {@link Ops#apply} runs it and is the only place that records
 * graph nodes. {@code forward} computes with the kernels of {@link Context#backend()} and never records;
 * {@code backward} turns the output's gradient into one gradient per input (null where
 * {@link Context#needsGrad} is false), written with ops where it can be so that it is dtype-generic.
 * Adding an op = one record in its family's file, one entry in {@code permits}, one contract case.
 */
public sealed interface Op permits
        ElementwiseOps.Binary, ElementwiseOps.Unary, ElementwiseOps.Affine, ElementwiseOps.PowScalar,
        ElementwiseOps.LeakyRelu, ElementwiseOps.Clamp,
        ReductionOps.Sum, ReductionOps.SumAll, ReductionOps.Softmax,
        IndexingOps.Gather, IndexingOps.IndexSelect, IndexingOps.MaskedFill, IndexingOps.Where, IndexingOps.Concat,
        ShapeOps.Reshape, ShapeOps.Permute, ShapeOps.Narrow, ShapeOps.Expand, ShapeOps.Squeeze, ShapeOps.Unsqueeze,
        ShapeOps.Copy, ShapeOps.Cast,
        LinalgOps.MatMul, Fused {

    /** The name in the graph ({@code grad_fn=<nameBackward>}). */
    String name();

    Tensor forward(Context ctx);

    Tensor[] backward(Context ctx, Tensor gradOutput);
}
