package gradus.nn;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Batch normalization per channel (dimension 1) with learnable weight and bias. Training
 * normalizes with the batch mean and biased variance and moves {@code running_mean} and
 * {@code running_var} towards the batch mean and unbiased variance by {@code momentum};
 * eval() normalizes with the running statistics. Same buffers and defaults as PyTorch.
 */
public abstract sealed class BatchNorm extends Module permits BatchNorm1d, BatchNorm2d {
    private final int features;
    private final float eps, momentum;
    private final Tensor weight, bias, runningMean, runningVar, numBatchesTracked;

    BatchNorm(int features, float eps, float momentum) {
        if (features <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + " needs a positive feature count, got " + features);
        if (eps <= 0f) throw new IllegalArgumentException("eps must be positive, got " + eps);
        if (momentum < 0f || momentum > 1f) throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        ParameterBudget.reserve(getClass().getSimpleName() + " weight, bias and running statistics", 4, features);
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", Tensor.ones(features));
        this.bias = registerParameter("bias", Tensor.zeros(features));
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(features));
        this.runningVar = registerBuffer("running_var", Tensor.ones(features));
        this.numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.scalar(0f));
    }

    /** Whether this layer accepts an input of rank {@code rank}. */
    abstract boolean acceptsRank(int rank);

    /** The expected input layout, for error messages. */
    abstract String layout();

    @Override
    public Tensor forward(Tensor x) {
        if (!acceptsRank(x.dim()) || x.size(1) != features) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + features + ") expects input " + layout()
                    + " with C=" + features + ", got shape " + Shape.str(x.shape()));
        }
        if (isTraining()) numBatchesTracked.fill(numBatchesTracked.item() + 1f);
        return F.batchNorm(x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", getClass().getSimpleName());
        c.put("features", features);
        c.put("eps", eps);
        c.put("momentum", momentum);
        return c;
    }
}
