package gradus.train;

import java.util.Map;

/** Hooks into {@link Trainer#fit}; every method has a no-op default. */
public interface Callback {
    /** {@code epochs} is the epoch count the run ends at, counting epochs done before a resume. */
    default void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {}

    default void onEpochBegin(int epoch) {}

    /** After each optimizer step, with the batch loss and size. */
    default void onBatchEnd(int epoch, int step, double loss, int batchSize) {}

    /** After validation; {@code logs} holds loss, metrics, val_* values, lr, seconds. */
    default void onEpochEnd(int epoch, Map<String, Double> logs) {}

    default void onTrainEnd(Map<String, Double> lastLogs) {}
}
