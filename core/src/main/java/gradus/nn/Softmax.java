package gradus.nn;

import java.util.Map;

/** Softmax along a dimension (the last by default). */
public final class Softmax extends Activation {
    public Softmax() {
        this(-1);
    }

    public Softmax(int dim) {
        super("Softmax", x -> x.softmax(dim), Map.of("dim", dim));
    }
}
