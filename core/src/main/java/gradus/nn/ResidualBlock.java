package gradus.nn;

import gradus.nn.init.Init;
import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ResNet block (He et al. 2016) over [N, in, H, W] → [N, out, H/stride, W/stride]: relu(body(x) + shortcut(x)).
 * Basic: two 3×3 convolutions with BatchNorm. Bottleneck: 1×1 down to out/4 channels, 3×3, 1×1 up to out. The
 * shortcut is the identity, or a strided 1×1 convolution with BatchNorm where the shape changes. Convolutions
 * start He-normal (fan_out, as torchvision does) and have no bias (BatchNorm has one).
 */
public final class ResidualBlock extends Module {
    private final int in, out, stride;
    private final boolean bottleneck;
    private final Sequential body, shortcut;

    public ResidualBlock(int in, int out, int stride, boolean bottleneck) {
        if (bottleneck && out % 4 != 0) throw new IllegalArgumentException("a bottleneck block needs out divisible by 4, got " + out);
        this.in = in;
        this.out = out;
        this.stride = stride;
        this.bottleneck = bottleneck;
        if (bottleneck) {
            int w = out / 4;
            body = new Sequential(conv(in, w, 1, 1), new BatchNorm2d(w), new ReLU(), conv(w, w, 3, stride), new BatchNorm2d(w), new ReLU(),
                    conv(w, out, 1, 1), new BatchNorm2d(out));
        } else {
            body = new Sequential(conv(in, out, 3, stride), new BatchNorm2d(out), new ReLU(), conv(out, out, 3, 1), new BatchNorm2d(out));
        }
        registerModule("body", body);
        shortcut = stride != 1 || in != out ? registerModule("shortcut", new Sequential(conv(in, out, 1, stride), new BatchNorm2d(out))) : null;
    }

    private static Conv2d conv(int in, int out, int k, int stride) {
        Conv2d c = new Conv2d(in, out, new int[]{k}, new int[]{stride}, new int[]{k / 2}, new int[]{1}, false);
        Init.kaimingNormal(c.weight(), 0f, Init.Fan.OUT, "relu");
        return c;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor skip = shortcut == null ? x : shortcut.forward(x);
        return body.forward(x).add(skip).relu();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "ResidualBlock");
        c.put("in", in);
        c.put("out", out);
        c.put("stride", stride);
        c.put("bottleneck", bottleneck);
        return c;
    }
}
