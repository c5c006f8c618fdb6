package gradus.train.callbacks;

import gradus.privacy.DpSgd;
import gradus.train.Callback;
import gradus.train.Trainer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A live progress bar per epoch (running loss, samples/s, ETA and, with DP-SGD, the ε spent) and a one-line summary after it;
 * without {@code live}, only the summaries (for logs and pipes). A live bar asked for on
 * {@code System.err} or {@code System.out} is drawn only when the JVM runs in a terminal: redrawn
 * {@code \r} frames would otherwise fill log files and pipes.
 */
public final class ProgressBar implements Callback {
    private final PrintStream out;
    private final boolean live;
    private me.tongfei.progressbar.ProgressBar bar;
    private int epochs, steps;
    private double lossSum;
    private long samples, startNanos, firstStepNanos;
    private DpSgd privacy;
    private double epsilon, epsilonSeconds; // the ε shown, and the time spent asking the accountant for it
    private long epsilonStep, trainStartNanos;

    public ProgressBar() {
        this(System.err, true);
    }

    public ProgressBar(PrintStream out, boolean live) {
        this.out = out;
        this.live = live && (out != System.err && out != System.out || inTerminal());
    }

    /** Whether the JVM runs in an interactive terminal ({@code Console.isTerminal}, Java 22+; on 21 a console exists only then). */
    static boolean inTerminal() {
        java.io.Console console = System.console();
        if (console == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /**
     * Seconds left after {@code done} of {@code steps} steps, {@code secondsSinceFirst} after the first step
     * ended: the first step (class loading, JIT warm-up, the first batch) would inflate the estimate many-fold.
     * NaN while there is nothing to go on.
     */
    static double eta(int steps, int done, double secondsSinceFirst) {
        if (done < 2) return Double.NaN;
        return Math.max(0, steps - done) * secondsSinceFirst / (done - 1);
    }

    /**
     * Whether to ask the accountant again after {@code step} (0-based) of an epoch of {@code steps}: always at an
     * epoch's last step (the epoch's logs ask there too, and DpSgd remembers the answer), otherwise while that has
     * cost at most a tenth of the run's time, since PRV accounting takes seconds late in a long run.
     */
    static boolean refreshEpsilon(int step, int steps, double secondsOnEpsilon, double secondsOfRun) {
        return step + 1 >= steps || secondsOnEpsilon <= 0.1 * secondsOfRun;
    }

    /** The bar's ε: the value at the current step, or the latest one with the step it was for. */
    static String epsilonText(double epsilon, long at, long now) {
        String e = Double.isInfinite(epsilon) ? "∞" : String.format(Locale.ROOT, "%.4f", epsilon);
        return at == now ? "  ε " + e : String.format(Locale.ROOT, "  ε %s (step %d)", e, at);
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        this.epochs = epochs;
        this.steps = stepsPerEpoch;
        this.privacy = trainer.privacy();
        trainStartNanos = System.nanoTime();
        epsilonSeconds = 0;
        epsilonStep = -1;
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
        long now = System.nanoTime();
        if (step == 0) firstStepNanos = now;
        double seconds = (now - startNanos) / 1e9;
        double rate = samples / Math.max(seconds, 1e-9);
        double eta = eta(steps, step + 1, (now - firstStepNanos) / 1e9);
        bar.step();
        // ε right after the loss: a bar wider than the terminal loses its end
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f%s  %,.0f samples/s  ETA %s", lossSum / samples, spent(step, now),
                rate, Double.isNaN(eta) ? "?" : String.format(Locale.ROOT, "%.0fs", eta)));
    }

    private String spent(int step, long now) {
        if (privacy == null) return "";
        if (refreshEpsilon(step, steps, epsilonSeconds, (now - trainStartNanos) / 1e9)) {
            long asked = System.nanoTime();
            epsilon = privacy.epsilon();
            epsilonStep = privacy.steps();
            epsilonSeconds += (System.nanoTime() - asked) / 1e9;
        }
        return epsilonStep < 0 ? "" : epsilonText(epsilon, epsilonStep, privacy.steps());
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
