package gradus.train;

import gradus.autograd.GradMode;
import gradus.data.Batch;
import gradus.data.DataLoader;
import gradus.io.ModelDirectory;
import gradus.metrics.Metric;
import gradus.nn.Module;
import gradus.nn.Penalties;
import gradus.optim.ClipGrad;
import gradus.optim.Optimizer;
import gradus.privacy.DpSgd;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keras-style training on top of the plain PyTorch-style step ({@link #trainStep}):
 * {@code Trainer.of(model).optimizer(opt).loss(Loss.crossEntropy()).metrics(Metric.accuracy()).fit(train, val, 10)}.
 * Validation runs after every epoch; callbacks see every step and epoch.
 */
public final class Trainer {
    /** Keeps the epoch's generator apart from a loader's shuffle drawn from the same seed and epoch. */
    private static final long TRAINER_SALT = 0x747261696E6572L;
    /** The epoch logs that measure time, not the model. */
    private static final List<String> TIMING_LOGS = List.of("seconds", "samples_per_s");

    private final Module model;
    private Optimizer optimizer;
    private Loss loss;
    private final List<Metric> metrics = new ArrayList<>();
    private final List<Callback> callbacks = new ArrayList<>();
    private double clipNorm = 0, l1 = 0, l2 = 0;
    private InputPerturbation adversarial;
    private boolean stopRequested;
    private int epoch, globalStep, maxSteps;
    private Long seed;
    private DpSgd privacy;
    private DataParallel parallel;
    private Map<String, Double> lastLogs = Map.of();

    private Trainer(Module model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    public static Trainer of(Module model) {
        return new Trainer(model);
    }

    public Trainer optimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    public Trainer loss(Loss loss) {
        this.loss = loss;
        return this;
    }

    public Trainer metrics(Metric... metrics) {
        this.metrics.addAll(List.of(metrics));
        return this;
    }

    public Trainer callbacks(Callback... callbacks) {
        this.callbacks.addAll(List.of(callbacks));
        return this;
    }

    /** Clips the global gradient norm to {@code maxNorm} before each step (0 = off). */
    public Trainer clipGradNorm(double maxNorm) {
        this.clipNorm = maxNorm;
        return this;
    }

    /**
     * Trains with DP-SGD: each step clips every sample's gradient, adds noise and spends privacy (use a loader with
     * {@link DataLoader#poissonSampling}); batches larger than its physical batch size run as virtual batches.
     */
    public Trainer privacy(DpSgd dp) {
        this.privacy = dp;
        return this;
    }

    public DpSgd privacy() {
        return privacy;
    }

    /**
     * Trains on {@code perturbation}'s inputs instead of each batch's own (PGD adversarial training: pass a
     * {@code gradus.explain.Pgd}); its gradients are the inputs' only, so the step's own gradients start clean.
     */
    public Trainer adversarial(InputPerturbation perturbation) {
        this.adversarial = perturbation;
        return this;
    }

    /**
     * Trains as one replica of data-parallel training: each step computes this rank's share of the batch and averages
     * the gradients with the other ranks', so every replica steps as one process on the whole batch would. The
     * epoch's loss is the global one; training metrics see this rank's share only. Replicas start from rank 0's weights.
     */
    public Trainer dataParallel(DataParallel parallel) {
        this.parallel = parallel;
        return this;
    }

    /** Adds λ1·Σ|w| and λ2·Σw² over all parameters to the loss. */
    public Trainer regularization(double l1, double l2) {
        this.l1 = l1;
        this.l2 = l2;
        return this;
    }

    /**
     * Ends training once {@code steps} optimization steps have run in total, cutting the epoch in
     * progress short (0 = no limit): language models train for a number of steps, not epochs.
     */
    public Trainer maxSteps(int steps) {
        if (steps < 0) throw new IllegalArgumentException("max steps must be >= 0, got " + steps);
        this.maxSteps = steps;
        return this;
    }

    /**
     * Reseeds the global generator ({@link Rng#global()}: dropout masks and any other draw during training)
     * at the start of every epoch from {@code seed} and the epoch number. The masks then depend on the epoch,
     * not on what ran before it, so a run resumed from an epoch's checkpoint draws what the uninterrupted
     * run drew (the loaders' shuffles already depend only on their seed and the epoch).
     */
    public Trainer seed(long seed) {
        this.seed = seed;
        return this;
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Asks {@link #fit} to stop after the current epoch (used by early stopping). */
    public void requestStop() {
        stopRequested = true;
    }

    /** Continues step counting (and schedules) from a resumed run. */
    public Trainer startAt(int epoch, int globalStep) {
        return startAt(epoch, globalStep, Map.of());
    }

    /** As {@link #startAt(int, int)}, with the logs of the resumed run's last epoch (for callbacks that replay it). */
    public Trainer startAt(int epoch, int globalStep, Map<String, Double> lastLogs) {
        this.epoch = epoch;
        this.globalStep = globalStep;
        this.lastLogs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lastLogs)); // ordered: saved again as it came
        return this;
    }

    /** The logs of the last epoch done (also one done before a resume), or empty. */
    public Map<String, Double> lastLogs() {
        return lastLogs;
    }

    public int globalStep() {
        return globalStep;
    }

    /** The epochs done, counting those before a resume. */
    public int epoch() {
        return epoch;
    }

    /** What a run needs to resume from here: the optimizer's tensors, the epoch and step counters, the optimizer config. */
    public ModelDirectory.TrainingState trainingState() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epoch", epoch);
        state.put("global_step", globalStep);
        state.put("optimizer", optimizer.config());
        Map<String, Double> logs = new LinkedHashMap<>();
        lastLogs.forEach((k, v) -> {
            // JSON has no NaN; the wall-clock values would make equal runs save different bytes
            if (Double.isFinite(v) && !TIMING_LOGS.contains(k)) logs.put(k, v);
        });
        state.put("logs", logs);
        return new ModelDirectory.TrainingState(optimizer.stateDict(), state);
    }

    /** One optimization step on one batch; returns the batch loss. The plain loop, usable on its own. */
    public float trainStep(Batch batch) {
        requireConfigured();
        model.train();
        if (parallel != null) {
            int[] share = parallel.share(batch.size());
            batch = batch.rows(share[0], share[1]); // may be empty: the rank still joins the exchange
        }
        if (adversarial != null && batch.size() > 0) batch = perturbed(batch);
        if (privacy != null) return privateStep(batch);
        optimizer.zeroGrad();
        float lossValue = batch.size() > 0 ? backward(batch) : 0f;
        if (parallel != null) {
            double[] total = parallel.averageGradients(model.parameters(), batch.size(), lossValue);
            lossValue = (float) (total[1] / Math.max(1, total[0]));
        }
        if (clipNorm > 0) ClipGrad.clipGradNorm(model.parameters(), clipNorm);
        optimizer.step();
        globalStep++;
        return lossValue;
    }

    /** Forward, loss (with the weight penalties) and backward on one batch; updates the metrics and returns the loss. */
    private float backward(Batch batch) {
        Tensor output = model.forward(batch.x());
        Tensor objective = loss.compute(output, batch);
        float lossValue = objective.item();
        if (!Float.isFinite(lossValue)) throw NonFiniteLossException.diagnose(epoch, globalStep, lossValue, batch, output, model);
        if (l1 > 0) objective = objective.add(Penalties.l1(model.parameters()).mul((float) l1));
        if (l2 > 0) objective = objective.add(Penalties.l2(model.parameters()).mul((float) l2));
        objective.backward();
        Tensor detached = output.detach();
        for (Metric m : metrics) m.update(detached, batch);
        return lossValue;
    }

    /** One DP-SGD step on a logical batch, run in physical parts; the noise is added even to an empty batch. */
    private float privateStep(Batch batch) {
        if (clipNorm > 0 || l1 > 0 || l2 > 0) {
            throw new IllegalStateException("DP-SGD clips per sample and has no per-sample rule for weight penalties: "
                    + "leave clip_grad_norm, l1 and l2 off with privacy");
        }
        optimizer.zeroGrad();
        int n = batch.size(), part = privacy.maxPhysicalBatchSize() > 0 ? privacy.maxPhysicalBatchSize() : Math.max(1, n);
        double lossSum = 0;
        for (int from = 0; from < n; from += part) {
            Batch b = batch.rows(from, Math.min(n, from + part));
            Tensor output;
            float lossValue;
            try (var recording = privacy.record()) {
                output = model.forward(b.x());
                Tensor objective = loss.compute(output, b);
                lossValue = objective.item();
                if (!Float.isFinite(lossValue)) throw NonFiniteLossException.diagnose(epoch, globalStep, lossValue, b, output, model);
                objective.backward();
            }
            privacy.accumulate();
            lossSum += (double) lossValue * b.size();
            Tensor detached = output.detach();
            for (Metric m : metrics) m.update(detached, b);
        }
        privacy.step();
        optimizer.step();
        globalStep++;
        return n == 0 ? 0f : (float) (lossSum / n);
    }

    private Batch perturbed(Batch batch) {
        if (batch.labels() == null) {
            throw new IllegalArgumentException("adversarial training attacks a classifier: the batches need class labels, this one has none");
        }
        Tensor x = adversarial.perturb(model::forward, batch.x(), batch.labels().data());
        return new Batch(x.detach(), batch.labels(), batch.targets());
    }

    /** Trains for {@code epochs} more epochs, validating after each when {@code validation} is given. */
    public History fit(DataLoader train, DataLoader validation, int epochs) {
        requireConfigured();
        stopRequested = false;
        List<Map<String, Double>> history = new ArrayList<>();
        int steps = maxSteps > 0 ? Math.min(train.numBatches(), maxSteps) : train.numBatches();
        if (parallel != null) parallel.broadcast(List.copyOf(model.stateDict().values()));
        for (Callback c : callbacks) c.onTrainBegin(this, epoch + epochs, steps);
        int lastEpoch = epoch + epochs;
        while (epoch < lastEpoch && !stopRequested && !stepsDone()) {
            if (seed != null) Rng.manualSeed(Rng.derive(seed ^ TRAINER_SALT, epoch));
            for (Callback c : callbacks) c.onEpochBegin(epoch);
            metrics.forEach(Metric::reset);
            long start = System.nanoTime();
            double lossSum = 0;
            long seen = 0;
            int step = 0;
            for (Batch b : train.epoch(epoch)) { // the epoch number fixes the shuffle, so a resumed run sees the same order
                if (stepsDone()) break;
                float l = trainStep(b);
                lossSum += (double) l * b.size();
                seen += b.size();
                for (Callback c : callbacks) c.onBatchEnd(epoch, step, l, b.size());
                step++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("epoch", (double) (epoch + 1));
            logs.put("loss", lossSum / Math.max(1, seen));
            for (Metric m : metrics) logs.put(m.name(), m.result());
            if (validation != null) evaluate(validation).forEach((k, v) -> logs.put("val_" + k, v));
            if (privacy != null) logs.put("epsilon", privacy.epsilon());
            logs.put("lr", optimizer.lr());
            logs.put("seconds", seconds);
            logs.put("samples_per_s", seen / Math.max(seconds, 1e-9));
            history.add(logs);
            lastLogs = logs;
            epoch++;
            for (Callback c : callbacks) c.onEpochEnd(epoch - 1, logs);
            if (parallel != null) stopRequested = parallel.anyStop(stopRequested);
        }
        Map<String, Double> last = history.isEmpty() ? Map.of() : history.get(history.size() - 1);
        for (Callback c : callbacks) c.onTrainEnd(last);
        return new History(history, stopRequested);
    }

    private boolean stepsDone() {
        return maxSteps > 0 && globalStep >= maxSteps;
    }

    /** Mean loss and metrics over {@code data}, in eval mode without recording a graph. */
    public Map<String, Double> evaluate(DataLoader data) {
        Objects.requireNonNull(loss, "loss not set: call loss(...) first");
        boolean wasTraining = model.isTraining();
        model.eval();
        metrics.forEach(Metric::reset);
        double lossSum = 0;
        long seen = 0;
        try (var g = GradMode.noGrad()) {
            for (Batch b : data) {
                Tensor out = model.forward(b.x());
                lossSum += (double) loss.compute(out, b).item() * b.size();
                seen += b.size();
                for (Metric m : metrics) m.update(out, b);
            }
        } finally {
            if (wasTraining) model.train();
        }
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", lossSum / Math.max(1, seen));
        for (Metric m : metrics) logs.put(m.name(), m.result());
        metrics.forEach(Metric::reset);
        return logs;
    }

    /** Model outputs for {@code x} in eval mode. */
    public Tensor predict(Tensor x) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try {
            return model.predict(x);
        } finally {
            if (wasTraining) model.train();
        }
    }

    private void requireConfigured() {
        if (optimizer == null) throw new IllegalStateException("optimizer not set: call optimizer(...) before training");
        if (loss == null) throw new IllegalStateException("loss not set: call loss(...) before training");
        if (privacy != null && parallel != null) {
            throw new IllegalStateException("DP-SGD does not train data-parallel yet: its per-sample clipping and noise run in one process");
        }
    }
}
