package gradus.nn;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Group normalization of [N, C, *]: mean and variance per sample over each group of C/groups channels (and all
 * positions), then a learned scale and shift per channel. Independent of the batch size, unlike BatchNorm.
 */
public final class GroupNorm extends Module {
    private final int groups, channels;
    private final float eps;
    private final Tensor weight, bias;

    public GroupNorm(int groups, int channels) {
        this(groups, channels, 1e-5f);
    }

    public GroupNorm(int groups, int channels, float eps) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm groups must divide channels=" + channels + ", got groups=" + groups);
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        ParameterBudget.reserve("GroupNorm weight and bias", 2, channels);
        this.weight = registerParameter("weight", Tensor.ones(channels));
        this.bias = registerParameter("bias", Tensor.zeros(channels));
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(1) != channels) {
            throw new IllegalArgumentException(this + " expects input [N, " + channels + ", *], got shape " + Shape.str(x.shape()));
        }
        return F.groupNorm(x, groups, weight, bias, eps);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "GroupNorm");
        c.put("groups", groups);
        c.put("channels", channels);
        c.put("eps", eps);
        return c;
    }
}
