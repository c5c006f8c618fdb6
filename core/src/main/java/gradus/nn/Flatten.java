package gradus.nn;

import gradus.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Merges dimensions {@code startDim..endDim} (inclusive; by default all but the batch dimension) into one. */
public final class Flatten extends Module {
    private final int startDim, endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim) {
        this(startDim, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim, endDim);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Flatten");
        c.put("start_dim", startDim);
        c.put("end_dim", endDim);
        return c;
    }
}
