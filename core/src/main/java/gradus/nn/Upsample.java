package gradus.nn;

import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resizes [N, C, H, W] by an integer scale factor per direction, by nearest neighbour or bilinear
 * interpolation (PyTorch's {@code nn.Upsample(scale_factor=…, mode=…)}, align_corners false unless set).
 */
public final class Upsample extends Module {
    public enum Mode { NEAREST, BILINEAR }

    private final int[] scale;
    private final Mode mode;
    private final boolean alignCorners;

    public Upsample(int scale, Mode mode) {
        this(new int[]{scale}, mode, false);
    }

    public Upsample(int[] scale, Mode mode, boolean alignCorners) {
        this.scale = F.pair("scale", scale, 1);
        this.mode = mode;
        if (alignCorners && mode != Mode.BILINEAR) throw new IllegalArgumentException("Upsample align_corners needs mode bilinear, got " + mode);
        this.alignCorners = alignCorners;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException(this + " expects input [N, C, H, W], got shape " + Shape.str(x.shape()));
        int oh = x.size(2) * scale[0], ow = x.size(3) * scale[1];
        return mode == Mode.NEAREST ? F.upsampleNearest(x, oh, ow) : F.upsampleBilinear(x, oh, ow, alignCorners);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Upsample");
        c.put("scale", Layers.size(scale));
        c.put("mode", mode.name().toLowerCase());
        c.put("align_corners", alignCorners);
        return c;
    }
}
