package gradus.prune;

import gradus.nn.Module;
import gradus.train.Callback;
import gradus.train.Trainer;

/**
 * Gradual magnitude pruning during training (Zhu & Gupta 2017, "To prune, or not to prune"): every
 * {@code frequency} steps from {@code begin} to {@code end} the sparsity rises along
 * s(t) = s_f·(1 − (1 − (t − begin)/(end − begin))³), fast at first while the network can recover, slowly at the
 * end; masks are recomputed then (global or per layer) and reapplied after every step, so fine-tuning goes on
 * around the pruned weights. Add it to a {@link Trainer} as a callback.
 */
public final class GradualPruning implements Callback {
    private final Module model;
    private final double finalSparsity;
    private final int begin, end, frequency;
    private final boolean global;
    private Masks masks;
    private int step;

    public GradualPruning(Module model, double finalSparsity, int begin, int end, int frequency, boolean global) {
        MagnitudePruning.checkSparsity(finalSparsity);
        if (begin < 0 || end <= begin || frequency <= 0) {
            throw new IllegalArgumentException("a pruning schedule needs 0 ≤ begin < end and frequency > 0, got begin " + begin + ", end " + end + ", frequency " + frequency);
        }
        this.model = model;
        this.finalSparsity = finalSparsity;
        this.begin = begin;
        this.end = end;
        this.frequency = frequency;
        this.global = global;
    }

    /** The target sparsity at step {@code t}. */
    public double sparsityAt(int t) {
        if (t < begin) return 0;
        double progress = Math.min(1.0, (double) (t - begin) / (end - begin));
        return finalSparsity * (1 - Math.pow(1 - progress, 3));
    }

    /** The current masks (null before the first pruning step). */
    public Masks masks() {
        return masks;
    }

    @Override
    public void onBatchEnd(int epoch, int s, double loss, int batchSize) {
        step++;
        if (step >= begin && step <= end && ((step - begin) % frequency == 0 || step == end)) {
            double target = sparsityAt(step);
            masks = global ? MagnitudePruning.global(model, target) : MagnitudePruning.layerWise(model, target);
        } else if (masks != null) {
            masks.apply();
        }
    }

    @Override
    public void onTrainEnd(java.util.Map<String, Double> lastLogs) {
        if (sparsityAt(end) > 0 && (masks == null || masks.sparsity() < finalSparsity - 1e-9)) {
            masks = global ? MagnitudePruning.global(model, finalSparsity) : MagnitudePruning.layerWise(model, finalSparsity);
        }
    }
}
