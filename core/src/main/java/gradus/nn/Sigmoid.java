package gradus.nn;

import java.util.Map;

/** Elementwise {@code sigmoid}. */
public final class Sigmoid extends Activation {
    public Sigmoid() {
        super("Sigmoid", x -> x.sigmoid(), Map.of());
    }
}
