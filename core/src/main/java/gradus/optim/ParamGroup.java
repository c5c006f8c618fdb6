package gradus.optim;

import gradus.tensor.Tensor;

import java.util.List;

/**
 * Parameters trained with their own learning rate and weight decay, e.g. a smaller learning rate for a
 * pretrained backbone; add with {@link Optimizer#addParamGroup}. NaN means "the optimizer's default".
 */
public record ParamGroup(List<Tensor> params, double lr, double weightDecay) {
    public ParamGroup {
        params = List.copyOf(params);
    }

    /** A group with its own learning rate and the optimizer's weight decay. */
    public ParamGroup(List<Tensor> params, double lr) {
        this(params, lr, Double.NaN);
    }
}
