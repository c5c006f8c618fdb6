package gradus.spark;

import java.io.Serializable;

/**
 * One training example as Spark moves it: features (flattened; {@link TrainingSpec#exampleShape} restores the
 * shape) and either a class label or float targets.
 */
public record Example(float[] x, int label, float[] target) implements Serializable {
    public static Example labeled(float[] x, int label) {
        return new Example(x, label, null);
    }

    public static Example regression(float[] x, float... target) {
        return new Example(x, -1, target);
    }
}
