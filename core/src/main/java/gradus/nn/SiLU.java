package gradus.nn;

import java.util.Map;

/** Elementwise {@code silu}. */
public final class SiLU extends Activation {
    public SiLU() {
        super("SiLU", x -> x.silu(), Map.of());
    }
}
