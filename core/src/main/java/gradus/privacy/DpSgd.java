package gradus.privacy;

import gradus.autograd.Context;
import gradus.autograd.ConvOps;
import gradus.autograd.GradMode;
import gradus.autograd.IndexingOps;
import gradus.autograd.LinalgOps;
import gradus.autograd.NormOps;
import gradus.autograd.Op;
import gradus.autograd.Ops;
import gradus.autograd.RecurrentOps;
import gradus.nn.Module;
import gradus.tensor.DType;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * DP-SGD (Abadi et al. 2016, as Opacus runs it): each sample's gradient is clipped to norm C, the clipped
 * gradients are summed, Gaussian noise N(0, (σC)²) is added to the sum, and the result is divided by the expected
 * batch size; an accountant tracks the (ε, δ) spent. Per-sample gradients come from the rule of each op that
 * reads a parameter (Linear, Conv2d, Embedding, LayerNorm, LSTM/GRU), fed its input and output gradient during one ordinary
 * backward; no pass per sample. One logical step may span several physical batches (virtual batches):
 * <pre>{@code
 * optimizer.zeroGrad();
 * for (Batch part : physicalBatches) {
 *     try (var r = dp.record()) { loss(model.forward(part.x()), part).backward(); }
 *     dp.accumulate();          // clip each sample, add to the step's sum
 * }
 * dp.step();                    // noise, ÷ expected batch size, into every parameter's grad
 * optimizer.step();
 * }</pre>
 */
public final class DpSgd {
    /** Flat: one bound C on each sample's whole gradient. Per layer: C/√P on each of the P parameters. */
    public enum Clipping { FLAT, PER_LAYER }

    /** How the loss combines the samples: the per-sample gradients of a mean loss are B times the captured ones. */
    public enum LossReduction { MEAN, SUM }

    private final List<Tensor> params;
    private final Set<Tensor> paramSet;
    private final Map<Tensor, String> names;
    private final double noiseMultiplier, maxGradNorm, sampleRate, delta;
    private final int expectedBatchSize, maxPhysicalBatchSize;
    private final Clipping clipping;
    private final LossReduction reduction;
    private final DoubleSupplier gaussian;
    private final boolean secure;
    private final PrivacyAccountant accountant;
    private long knownSteps = -1;
    private double knownDelta, knownEpsilon;

    private final List<SampleGrad> captured = new ArrayList<>();
    private final Map<Tensor, float[]> sums = new IdentityHashMap<>();
    private int samples, clippedSamples, totalSamples;
    private long steps;

    private DpSgd(Builder b) {
        this.names = parameterNames(b.model);
        this.params = new ArrayList<>();
        for (Tensor p : b.model.parameters()) {
            if (!p.requiresGrad()) continue;
            if (p.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("DP-SGD runs on float32 parameters; " + names.get(p) + " is " + p.dtype());
            }
            params.add(p);
        }
        this.paramSet = Collections.newSetFromMap(new IdentityHashMap<>());
        paramSet.addAll(params);
        this.noiseMultiplier = b.noiseMultiplier;
        this.maxGradNorm = b.maxGradNorm;
        this.sampleRate = b.sampleRate;
        this.delta = b.delta;
        this.expectedBatchSize = b.expectedBatchSize;
        this.maxPhysicalBatchSize = b.maxPhysicalBatchSize;
        this.clipping = b.clipping;
        this.reduction = b.reduction;
        this.secure = b.secure;
        this.accountant = PrivacyAccountant.create(b.accountant);
        if (b.secure) {
            SecureRandom random;
            try {
                random = SecureRandom.getInstance("DRBG");
            } catch (NoSuchAlgorithmException e) {
                random = new SecureRandom();
            }
            this.gaussian = random::nextGaussian;
        } else {
            Rng rng = new Rng(b.seed);
            this.gaussian = rng::nextGaussian;
        }
    }

    public static Builder builder(Module model) {
        return new Builder(model);
    }

    /** Captures the per-sample rules' inputs for the ops run until the scope closes (forward and backward inside). */
    public GradMode.Scope record() {
        return Ops.observe(new Ops.BackwardObserver() {
            @Override
            public void backward(Op op, Context ctx, Tensor gradOutput) {
                observe(op, ctx, gradOutput);
            }

            @Override
            public boolean makesGradientOf(Tensor input) {
                return paramSet.contains(input); // the ops' summed parameter gradients would be thrown away
            }
        });
    }

    private void observe(Op op, Context ctx, Tensor gradOutput) {
        boolean readsParameter = false;
        for (int i = 0; i < ctx.arity(); i++) readsParameter |= ctx.in(i) != null && paramSet.contains(ctx.in(i));
        if (!readsParameter) return;
        switch (op) {
            case LinalgOps.Linear l -> LinearSamples.collect(l, ctx, gradOutput, paramSet, captured);
            case ConvOps.Conv2d c -> ConvSamples.collect(c, ctx, gradOutput, paramSet, captured);
            case IndexingOps.Embedding e -> EmbeddingSamples.collect(e, ctx, gradOutput, paramSet, captured);
            case NormOps.LayerNorm n -> LayerNormSamples.collect(ctx, gradOutput, paramSet, captured);
            case RecurrentOps.Layer r -> RecurrentSamples.collect(r, ctx, paramSet, captured);
            case NormOps.BatchNorm n -> throw new UnsupportedOperationException("DP-SGD cannot train " + parameterOf(ctx)
                    + ": batch normalization mixes the samples of a batch (each output depends on the batch's statistics), so a sample's "
                    + "gradient is not its own; replace it with LayerNorm or GroupNorm, which normalize each sample alone");
            default -> throw new UnsupportedOperationException("DP-SGD has no per-sample gradient rule for op '" + op.name()
                    + "', which reads " + parameterOf(ctx) + "; per-sample rules exist for Linear (and the attention projections), "
                    + "Conv2d, Embedding, LayerNorm, LSTM and GRU");
        }
    }

    private String parameterOf(Context ctx) {
        for (int i = 0; i < ctx.arity(); i++) if (ctx.in(i) != null && paramSet.contains(ctx.in(i))) return names.get(ctx.in(i));
        return "a parameter";
    }

    /** Clips each sample of the batch just run backward and adds it to this step's sum; returns the batch size. */
    public int accumulate() {
        if (captured.isEmpty()) return 0;
        int batch = captured.get(0).batch;
        for (SampleGrad s : captured) {
            if (s.batch != batch) {
                throw new IllegalStateException("DP-SGD: " + names.get(s.param) + " saw a batch of " + s.batch + " samples, "
                        + names.get(captured.get(0).param) + " one of " + batch + "; per-sample rules need the batch in dimension 0 everywhere");
            }
        }
        Map<Tensor, SampleGrad> byParam = merged();
        float lossScale = reduction == LossReduction.MEAN ? batch : 1f;
        Map<Tensor, double[]> norms = new IdentityHashMap<>();
        byParam.forEach((p, s) -> norms.put(p, s.squaredNorms()));
        Map<Tensor, float[]> scales = new IdentityHashMap<>();
        if (clipping == Clipping.FLAT) {
            float[] scale = new float[batch];
            for (int i = 0; i < batch; i++) {
                double sq = 0;
                for (double[] n : norms.values()) sq += n[i];
                scale[i] = clipFactor(lossScale * Math.sqrt(sq), maxGradNorm) * lossScale;
            }
            byParam.keySet().forEach(p -> scales.put(p, scale));
        } else {
            double bound = maxGradNorm / Math.sqrt(params.size());
            norms.forEach((p, n) -> {
                float[] scale = new float[batch];
                for (int i = 0; i < batch; i++) scale[i] = clipFactor(lossScale * Math.sqrt(n[i]), bound) * lossScale;
                scales.put(p, scale);
            });
        }
        for (int i = 0; i < batch; i++) {
            boolean clipped = false;
            for (float[] scale : scales.values()) clipped |= scale[i] < lossScale;
            if (clipped) clippedSamples++;
        }
        byParam.forEach((p, s) -> {
            float[] sum = s.weightedSum(scales.get(p));
            float[] acc = sums.get(p);
            if (acc == null) sums.put(p, sum);
            else for (int j = 0; j < acc.length; j++) acc[j] += sum[j];
        });
        captured.clear();
        samples += batch;
        totalSamples += batch;
        return batch;
    }

    /**
     * Each parameter's per-sample gradients [B, …shape] of the batch run backward since the last
     * {@link #accumulate} (for checks and debugging: DP-SGD itself never forms them where a rule need not).
     */
    public Map<Tensor, Tensor> perSampleGradients() {
        Map<Tensor, Tensor> out = new IdentityHashMap<>();
        merged().forEach((p, s) -> {
            float[] per = s.perSample().clone();
            float lossScale = reduction == LossReduction.MEAN ? s.batch : 1f;
            for (int j = 0; j < per.length; j++) per[j] *= lossScale;
            int[] shape = new int[p.dim() + 1];
            shape[0] = s.batch;
            System.arraycopy(p.shape(), 0, shape, 1, p.dim());
            out.put(p, Tensor.of(per, shape));
        });
        return out;
    }

    /** Opacus's factor: min(1, C / (‖g‖ + 1e-6)). */
    private static float clipFactor(double norm, double bound) {
        return (float) Math.min(1.0, bound / (norm + 1e-6));
    }

    /** One entry per parameter; a parameter read by several ops gets the sum of their materialized per-sample gradients. */
    private Map<Tensor, SampleGrad> merged() {
        Map<Tensor, SampleGrad> out = new IdentityHashMap<>();
        Map<Tensor, List<SampleGrad>> byParam = new IdentityHashMap<>();
        for (SampleGrad s : captured) byParam.computeIfAbsent(s.param, p -> new ArrayList<>()).add(s);
        byParam.forEach((p, list) -> {
            if (list.size() == 1) {
                out.put(p, list.get(0));
                return;
            }
            float[] total = list.get(0).perSample().clone();
            for (SampleGrad s : list.subList(1, list.size())) {
                float[] more = s.perSample();
                for (int j = 0; j < total.length; j++) total[j] += more[j];
            }
            out.put(p, new SampleGrad.Materialized(p, list.get(0).batch, total));
        });
        return out;
    }

    /**
     * Ends the logical step: adds N(0, (σC)²) to each parameter's clipped sum (zeros for a parameter no sample
     * reached, an empty Poisson batch included), divides by the expected batch size (without one: by the samples
     * accumulated), writes the result as the parameter's gradient and records the step with the accountant.
     */
    public void step() {
        double std = noiseMultiplier * maxGradNorm;
        double divisor = expectedBatchSize > 0 ? expectedBatchSize : Math.max(1, samples);
        for (Tensor p : params) {
            float[] sum = sums.getOrDefault(p, new float[p.numel()]);
            for (int j = 0; j < sum.length; j++) sum[j] = (float) ((sum[j] + std * gaussian.getAsDouble()) / divisor);
            p.setGrad(Tensor.of(sum, p.shape()));
        }
        sums.clear();
        samples = 0;
        steps++;
        accountant.step(noiseMultiplier, sampleRate);
    }

    /** The δ that {@link #epsilon()} and the report use. */
    public double delta() {
        return delta;
    }

    /** ε spent so far at {@link #delta()}. */
    public double epsilon() {
        return epsilon(delta);
    }

    /**
     * ε spent so far for {@code delta}: infinite once a step ran without noise. Remembered for the step count and δ of
     * the last call: PRV accounting takes seconds late in a run, and the progress bar and the epoch's logs ask at one step.
     */
    public double epsilon(double delta) {
        if (noiseMultiplier == 0 && steps > 0) return Double.POSITIVE_INFINITY;
        if (steps != knownSteps || delta != knownDelta) {
            knownEpsilon = accountant.epsilon(delta);
            knownSteps = steps;
            knownDelta = delta;
        }
        return knownEpsilon;
    }

    public long steps() {
        return steps;
    }

    public double noiseMultiplier() {
        return noiseMultiplier;
    }

    public double maxGradNorm() {
        return maxGradNorm;
    }

    public double sampleRate() {
        return sampleRate;
    }

    /** The most samples one forward runs (0: the whole logical batch); larger batches are split into virtual steps. */
    public int maxPhysicalBatchSize() {
        return maxPhysicalBatchSize;
    }

    /** Fraction of samples whose gradient the bound cut, over all accumulated so far (a tuning aid for C). */
    public double clippedFraction() {
        return totalSamples == 0 ? 0 : (double) clippedSamples / totalSamples;
    }

    /** What the model card records about the training's privacy. */
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mechanism", "dp-sgd");
        double eps = epsilon(delta);
        m.put("epsilon", Double.isFinite(eps) ? eps : "infinite"); // σ = 0: no guarantee
        m.put("delta", delta);
        m.put("accountant", accountant.mechanism());
        m.put("noise_multiplier", noiseMultiplier);
        m.put("max_grad_norm", maxGradNorm);
        m.put("clipping", clipping.name().toLowerCase(java.util.Locale.ROOT));
        m.put("sample_rate", sampleRate);
        m.put("steps", steps);
        m.put("secure_rng", secure);
        return m;
    }

    /** "name (Type)" of every parameter, for errors that must name the layer. */
    private static Map<Tensor, String> parameterNames(Module model) {
        Map<Tensor, String> out = new IdentityHashMap<>();
        name(model, "", out);
        return out;
    }

    private static void name(Module m, String prefix, Map<Tensor, String> out) {
        m.namedParameters().forEach((k, p) -> {
            if (!k.contains(".")) out.putIfAbsent(p, "parameter '" + prefix + k + "' (" + m.getClass().getSimpleName() + ")");
        });
        m.children().forEach((k, c) -> name(c, prefix + k + ".", out));
    }

    public static final class Builder {
        private final Module model;
        private double noiseMultiplier = Double.NaN, maxGradNorm = Double.NaN, sampleRate, delta = 1e-5;
        private int expectedBatchSize, maxPhysicalBatchSize;
        private Clipping clipping = Clipping.FLAT;
        private LossReduction reduction = LossReduction.MEAN;
        private String accountant = "prv";
        private boolean secure;
        private long seed;

        private Builder(Module model) {
            this.model = model;
        }

        /** σ: the noise's standard deviation over the clipping bound. */
        public Builder noiseMultiplier(double sigma) {
            if (!(sigma >= 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("noise_multiplier must be ≥ 0 and finite, got " + sigma);
            this.noiseMultiplier = sigma;
            return this;
        }

        /** C: the bound on each sample's gradient norm. */
        public Builder maxGradNorm(double c) {
            if (!(c > 0) || Double.isInfinite(c)) throw new IllegalArgumentException("max_grad_norm must be > 0 and finite, got " + c);
            this.maxGradNorm = c;
            return this;
        }

        /**
         * Poisson sampling of {@code expected} samples from {@code datasetSize}: the sampling rate q the accountant
         * needs, and the divisor of the noisy sum.
         */
        public Builder sampling(int expected, int datasetSize) {
            if (expected < 1 || datasetSize < expected) {
                throw new IllegalArgumentException("expected batch size must be in [1, " + datasetSize + "], got " + expected);
            }
            this.expectedBatchSize = expected;
            this.sampleRate = (double) expected / datasetSize;
            return this;
        }

        public Builder maxPhysicalBatchSize(int n) {
            if (n < 0) throw new IllegalArgumentException("max physical batch size must be ≥ 0, got " + n);
            this.maxPhysicalBatchSize = n;
            return this;
        }

        public Builder clipping(Clipping c) {
            this.clipping = c;
            return this;
        }

        public Builder lossReduction(LossReduction r) {
            this.reduction = r;
            return this;
        }

        /** The δ of the (ε, δ) reported (1e-5 unless set; keep it below 1 / dataset size). */
        public Builder delta(double d) {
            if (!(d > 0 && d < 1)) throw new IllegalArgumentException("delta must be in (0, 1), got " + d);
            this.delta = d;
            return this;
        }

        /** rdp, prv (the default, as Opacus's) or gdp. */
        public Builder accountant(String name) {
            PrivacyAccountant.create(name);
            this.accountant = name;
            return this;
        }

        /** Noise from a DRBG SecureRandom (seedless, not reproducible) instead of the seeded generator. */
        public Builder secureRandom(boolean on) {
            this.secure = on;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * σ for spending at most {@code epsilon} at {@code delta} over {@code epochs} epochs at the sampling rate set by
         * {@link #sampling} (Opacus's get_noise_multiplier with this builder's accountant).
         */
        public Builder targetEpsilon(double epsilon, double delta, double epochs) {
            if (sampleRate <= 0) throw new IllegalStateException("set sampling(expected, datasetSize) before targetEpsilon");
            delta(delta);
            long steps = NoiseMultiplier.stepsForEpochs(epochs, sampleRate);
            return noiseMultiplier(NoiseMultiplier.find(accountant, epsilon, delta, sampleRate, steps, NoiseMultiplier.EPSILON_TOLERANCE));
        }

        public DpSgd build() {
            if (Double.isNaN(noiseMultiplier)) throw new IllegalStateException("DP-SGD needs a noise multiplier (or a target epsilon)");
            if (Double.isNaN(maxGradNorm)) throw new IllegalStateException("DP-SGD needs max_grad_norm");
            return new DpSgd(this);
        }
    }
}
