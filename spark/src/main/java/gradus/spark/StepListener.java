package gradus.spark;

import java.io.Serializable;

/** Called on every worker after each optimizer step (e.g. to log, or in tests to make a worker fail). */
@FunctionalInterface
public interface StepListener extends Serializable {
    /** {@code globalStep} counts steps from the start of training, 1 after the first. */
    void afterStep(int rank, int globalStep, float loss) throws Exception;
}
