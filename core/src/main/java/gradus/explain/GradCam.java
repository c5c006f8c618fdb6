package gradus.explain;

import gradus.autograd.GradMode;
import gradus.nn.Module;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

/**
 * Grad-CAM (Selvaraju et al. 2017) for convolutional models: with A the activation [N, K, h, w] of a named
 * layer and α_k the spatial mean of ∂y_target/∂A_k, the map is ReLU(Σ_k α_k A_k) [N, 1, h, w]; {@link #upsample}
 * stretches it to the input's size. The model must be a Sequential (nested ones too); the layer is named by
 * its dotted path, default the last Conv2d (the ReLU after it when there is one).
 */
public final class GradCam {
    private GradCam() {}

    /** The map at the layer's resolution, [N, 1, h, w]; {@code layer} null picks the last convolution. */
    public static Tensor attribute(Module model, String layer, Tensor batch, int target, boolean relu) {
        String name = layer != null ? layer : LayerSplit.lastConv(model);
        if (name == null) throw new IllegalArgumentException("Grad-CAM needs a convolutional Sequential model: no Conv2d layer found");
        LayerSplit split = LayerSplit.of(model, name);
        Tensor activation;
        try (var g = GradMode.noGrad()) {
            activation = split.head().apply(batch);
        }
        if (activation.dim() != 4) {
            throw new IllegalArgumentException("Grad-CAM needs a layer with [N, channels, height, width] output; layer '" + name
                    + "' gives " + Shape.str(activation.shape()));
        }
        Tensor grads = Gradients.of(split.tail(), activation, target).gradients();
        Tensor alpha = grads.mean(3, true).mean(2, true);            // [N, K, 1, 1]
        Tensor cam = alpha.mul(activation).sum(1, true);               // [N, 1, h, w]
        return relu ? cam.relu() : cam;
    }

    /** Nearest-neighbour resize of maps [N, C, h, w] to [N, C, height, width] (PyTorch's interpolate, mode "nearest"). */
    public static Tensor upsample(Tensor map, int height, int width) {
        int n = map.size(0), c = map.size(1), h = map.size(2), w = map.size(3);
        float[] src = map.toArray(), out = new float[n * c * height * width];
        for (int p = 0; p < n * c; p++) {
            for (int y = 0; y < height; y++) {
                int sy = Math.min(h - 1, (int) Math.floor(y * (double) h / height));
                for (int x = 0; x < width; x++) {
                    int sx = Math.min(w - 1, (int) Math.floor(x * (double) w / width));
                    out[(p * height + y) * width + x] = src[(p * h + sy) * w + sx];
                }
            }
        }
        return Tensor.of(out, n, c, height, width);
    }
}
