package gradus.nn;

import java.util.Map;

/** Elementwise {@code tanh}. */
public final class Tanh extends Activation {
    public Tanh() {
        super("Tanh", x -> x.tanh(), Map.of());
    }
}
