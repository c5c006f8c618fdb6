package gradus.nn;

import gradus.autograd.LossOps;
import gradus.autograd.Ops;
import gradus.tensor.Tensor;

import java.util.Collection;

/**
 * Weight penalties to add to a loss, e.g. {@code loss.add(Penalties.l2(model.parameters()).mul(lambda))}.
 * Each is one operation over all the tensors, so a large model adds one node to the graph, not hundreds.
 */
public final class Penalties {
    private Penalties() {}

    /** Σ |w| over every element of every tensor (lasso); gradient sign(w), 0 at 0. */
    public static Tensor l1(Collection<Tensor> params) {
        return Ops.apply(new LossOps.L1Penalty(), params.toArray(new Tensor[0]));
    }

    /**
     * Σ w² over every element of every tensor, without the ½: adding {@code l2·λ} gives the
     * gradient 2λw, the same as SGD weight decay of 2λ.
     */
    public static Tensor l2(Collection<Tensor> params) {
        return Ops.apply(new LossOps.L2Penalty(), params.toArray(new Tensor[0]));
    }
}
