package gradus.nn;

import java.util.Map;

/** x for x > 0, else slope·x. */
public final class LeakyReLU extends Activation {
    public LeakyReLU() {
        this(0.01f);
    }

    public LeakyReLU(float slope) {
        super("LeakyReLU", x -> x.leakyRelu(slope), Map.of("slope", slope));
    }
}
