package gradus.train.callbacks;

import gradus.io.ModelDirectory;
import gradus.text.Tokenizer;
import gradus.train.Callback;
import gradus.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves the model directory (atomically, as one set) whenever the monitored value improves, with the
 * optimizer state so training can resume from it. A resumed run starts from the best value saved there.
 */
public final class BestModelCheckpoint implements Callback {
    private final Path dir;
    private final String monitor;
    private final boolean maximize;
    private final Map<String, Object> extraConfig;
    private final Tokenizer tokenizer;
    private Trainer trainer;
    private double best;
    private int bestEpoch = -1;

    public BestModelCheckpoint(Path dir, String monitor, Map<String, Object> extraConfig) {
        this(dir, monitor, extraConfig, null);
    }

    /** {@code tokenizer} (may be null) is saved beside a text model. */
    public BestModelCheckpoint(Path dir, String monitor, Map<String, Object> extraConfig, Tokenizer tokenizer) {
        this.dir = dir;
        this.monitor = monitor;
        this.maximize = Monitor.maximize(monitor);
        this.extraConfig = extraConfig;
        this.tokenizer = tokenizer;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.trainer = trainer;
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        bestEpoch = -1;
        try {
            ModelDirectory.recover(dir); // a better epoch may never come to save (and tidy) it again
        } catch (IOException e) {
            throw new UncheckedIOException("could not tidy the checkpoint " + dir, e);
        }
        if (trainer.epoch() > 0) {
            restoreBest(trainer.epoch());
            // The run may have been killed after saving its last epoch and before saving that epoch as the best:
            // replaying the epoch's end saves it now, from the very weights the uninterrupted run saved.
            if (trainer.lastLogs().containsKey(monitor)) onEpochEnd(trainer.epoch() - 1, trainer.lastLogs());
        }
    }

    /** A resumed run must not replace the best model of its first part with a worse one. */
    private void restoreBest(int epochsDone) {
        if (!Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE))) return;
        try {
            if (ModelDirectory.readConfig(dir).get("best") instanceof Map<?, ?> saved && monitor.equals(saved.get("monitor"))
                    && saved.get("value") instanceof Number value && saved.get("epoch") instanceof Number epoch
                    && epoch.intValue() <= epochsDone) {
                best = value.doubleValue();
                bestEpoch = epoch.intValue() - 1;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the best checkpoint " + dir + " to resume", e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double v = Monitor.value(logs, monitor);
        if (!(maximize ? v > best : v < best)) return;
        best = v;
        bestEpoch = epoch;
        Map<String, Object> extra = new LinkedHashMap<>(extraConfig);
        Map<String, Object> record = new LinkedHashMap<>(); // ordered: equal runs write equal bytes
        record.put("epoch", epoch + 1);
        record.put("monitor", monitor);
        record.put("value", v);
        extra.put("best", record);
        try {
            Checkpoint.save(dir, trainer, extra, tokenizer);
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
