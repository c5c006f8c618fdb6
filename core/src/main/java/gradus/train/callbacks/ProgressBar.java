package gradus.train.callbacks;

import gradus.train.Callback;
import gradus.train.Trainer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A live progress bar per epoch (running loss, samples/s, ETA) and a one-line summary after it;
 * without {@code live}, only the summaries (for logs and pipes).
 */
public final class ProgressBar implements Callback {
    private final PrintStream out;
    private final boolean live;
    private me.tongfei.progressbar.ProgressBar bar;
    private int epochs, steps;
    private double lossSum;
    private long samples, startNanos;

    public ProgressBar() {
        this(System.err, true);
    }

    public ProgressBar(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.epochs = epochs;
        this.steps = stepsPerEpoch;
    }

    @Override
    public void onEpochBegin(int epoch) {
        lossSum = 0;
        samples = 0;
        startNanos = System.nanoTime();
        if (!live) return;
        bar = new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "epoch %d", epoch + 1))
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                .hideEta()
                .build();
    }

    @Override
    public void onBatchEnd(int epoch, int step, double loss, int batchSize) {
        if (bar == null) return;
        lossSum += loss * batchSize;
        samples += batchSize;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = samples / Math.max(seconds, 1e-9);
        double eta = (steps - step - 1) * seconds / (step + 1);
        bar.step();
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  %,.0f samples/s  ETA %.0fs", lossSum / samples, rate, eta));
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (bar != null) bar.close();
        bar = null;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs));
        logs.forEach((k, v) -> {
            if (k.equals("epoch")) return;
            sb.append("  ").append(k).append(' ').append(format(k, v));
        });
        out.println(sb);
    }

    static String format(String key, double v) {
        if (key.equals("seconds")) return String.format(Locale.ROOT, "%.1f", v);
        if (key.equals("samples_per_s")) return String.format(Locale.ROOT, "%.0f", v);
        if (key.equals("lr")) return String.format(Locale.ROOT, "%.3g", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
