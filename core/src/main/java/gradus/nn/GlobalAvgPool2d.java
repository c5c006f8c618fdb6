package gradus.nn;

import gradus.tensor.Tensor;

import java.util.Map;

/** The mean of [N, C, H, W] over H and W, giving [N, C] (Keras's GlobalAveragePooling2D): the head of a ResNet. */
public final class GlobalAvgPool2d extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.globalAvgPool2d(x);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("type", "GlobalAvgPool2d");
    }
}
