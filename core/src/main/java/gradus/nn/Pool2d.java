package gradus.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/** Shared shape and config of the 2-d pooling layers; the stride defaults to the kernel size. */
abstract sealed class Pool2d extends Module permits MaxPool2d, AvgPool2d {
    protected final int[] kernel, stride, padding;

    Pool2d(int[] kernel, int[] stride, int[] padding) {
        this.kernel = F.pair("kernel", kernel, 1);
        this.stride = F.pair("stride", stride == null ? kernel : stride, 1);
        this.padding = F.pair("padding", padding, 0);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", getClass().getSimpleName());
        c.put("kernel", Layers.size(kernel));
        c.put("stride", Layers.size(stride));
        c.put("padding", Layers.size(padding));
        return c;
    }
}
