package gradus.nn;

import java.util.Map;

/** Elementwise {@code gelu}. */
public final class GELU extends Activation {
    public GELU() {
        super("GELU", x -> x.gelu(), Map.of());
    }
}
