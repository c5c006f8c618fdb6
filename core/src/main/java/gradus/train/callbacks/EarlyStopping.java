package gradus.train.callbacks;

import gradus.train.Callback;
import gradus.train.Trainer;

import java.util.Map;

/** Stops training when a monitored value has not improved by {@code minDelta} for {@code patience} epochs. */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean maximize;
    private Trainer trainer;
    private double best;
    private int wait;

    /** {@code monitor} like "val_loss" (minimized) or "val_accuracy" (maximized: names containing accuracy, f1 or r2). */
    public EarlyStopping(String monitor, int patience, double minDelta) {
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.maximize = Monitor.maximize(monitor);
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.trainer = trainer;
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double v = Monitor.value(logs, monitor);
        if (maximize ? v > best + minDelta : v < best - minDelta) {
            best = v;
            wait = 0;
        } else if (++wait >= patience) {
            trainer.requestStop();
        }
    }
}
