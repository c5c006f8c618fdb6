package gradus.nn;

import java.util.Map;

/** Elementwise {@code relu}. */
public final class ReLU extends Activation {
    public ReLU() {
        super("ReLU", x -> x.relu(), Map.of());
    }
}
