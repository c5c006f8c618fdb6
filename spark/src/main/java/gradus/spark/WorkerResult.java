package gradus.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What worker 0 reports at the end of training: the final weights (identical on every replica), the mean
 * training loss of each epoch, and how the time went.
 */
record WorkerResult(Weights weights, List<Double> epochLosses, int stepsRun, int resumedAtStep, long examplesSeen,
                    double seconds, double allReduceSeconds, long bytesSentPerStep) implements Serializable {}
