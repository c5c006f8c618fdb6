package gradus.nn;

import gradus.tensor.Tensor;

/** Stateless functions behind the layers (PyTorch's {@code torch.nn.functional}). */
public final class F {
    private F() {}

    /** x·Wᵀ + b over the last dimension of x. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    public static Tensor relu(Tensor x) {
        return x.relu();
    }
}
