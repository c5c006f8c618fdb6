package gradus.train.callbacks;

import gradus.io.ModelDirectory;
import gradus.train.Callback;
import gradus.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves the model directory (atomically) whenever the monitored value improves, with the
 * optimizer state so training can resume from it.
 */
public final class BestModelCheckpoint implements Callback {
    private final Path dir;
    private final String monitor;
    private final boolean maximize;
    private final Map<String, Object> extraConfig;
    private Trainer trainer;
    private double best;
    private int bestEpoch = -1;

    public BestModelCheckpoint(Path dir, String monitor, Map<String, Object> extraConfig) {
        this.dir = dir;
        this.monitor = monitor;
        this.maximize = Monitor.maximize(monitor);
        this.extraConfig = extraConfig;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.trainer = trainer;
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double v = Monitor.value(logs, monitor);
        if (!(maximize ? v > best : v < best)) return;
        best = v;
        bestEpoch = epoch;
        Map<String, Object> extra = new LinkedHashMap<>(extraConfig);
        extra.put("best", Map.of("epoch", epoch + 1, "monitor", monitor, "value", v));
        try {
            ModelDirectory.save(dir, trainer.model(), extra);
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("epoch", epoch + 1);
            state.put("global_step", trainer.globalStep());
            state.put("optimizer", trainer.optimizer().config());
            ModelDirectory.saveTrainingState(dir, trainer.optimizer().stateDict(), state);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save checkpoint to " + dir, e);
        }
    }

    /** Zero-based epoch of the best value so far, or -1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }
}
