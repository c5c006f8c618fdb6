package gradus.recipe;

import gradus.io.ModelCard;
import gradus.config.Config;
import gradus.explain.Attack;
import gradus.config.ConfigException;
import gradus.data.DataLoader;
import gradus.data.Dataset;
import gradus.data.MinMaxScaler;
import gradus.data.Scaler;
import gradus.data.Split;
import gradus.data.StandardScaler;
import gradus.data.TensorDataset;
import gradus.data.datasets.Datasets;
import gradus.io.ModelDirectory;
import gradus.metrics.Metric;
import gradus.models.GenerationConfig;
import gradus.models.Gpt;
import gradus.models.TextGenerator;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.optim.Optimizer;
import gradus.optim.Optimizers;
import gradus.optim.Schedules;
import gradus.privacy.DpSgd;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.text.Tokenizer;
import gradus.train.Callback;
import gradus.train.DataParallel;
import gradus.train.History;
import gradus.train.Loss;
import gradus.train.Trainer;
import gradus.train.callbacks.BestModelCheckpoint;
import gradus.train.callbacks.Checkpoint;
import gradus.train.callbacks.EarlyStopping;
import gradus.train.callbacks.MetricsLog;
import gradus.train.callbacks.ProgressBar;
import gradus.train.callbacks.TensorBoard;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run described by a config (the YAML files under {@code examples/}): data, model,
 * loss, optimizer, schedule and training options. {@link #run} trains, validates every epoch and
 * writes {@code OUT/model/} (config.json + model.safetensors + optimizer state),
 * {@code OUT/metrics.jsonl} and TensorBoard events {@code OUT/events.out.tfevents.*}. With
 * {@code training.checkpoint.every: N} it saves {@code OUT/model/} every N epochs too, so a killed run can
 * go on with {@link Options#resumeFrom}; {@code training.checkpoint.monitor} keeps the best epoch's model
 * in {@code OUT/best/}.
 */
public final class Recipe {
    /** About this many step records in metrics.jsonl per run: per-step curves without a line per step of a long run. */
    static final int STEP_RECORDS = 500;
    private static final String[] TOP_KEYS = {"name", "seed", "task", "data", "model", "loss", "optimizer", "schedule", "training", "generate", "privacy"};
    private static final String[] DATA_KEYS = {"train", "validation", "validation_split", "test", "scale", "tokenizer", "max_length", "context"};
    private static final String[] TRAINING_KEYS = {"epochs", "batch_size", "metrics", "early_stopping", "checkpoint",
            "clip_grad_norm", "l1", "l2", "shuffle", "drop_last", "steps", "augment", "adversarial"};

    private final Config config;

    public Recipe(Config config) {
        this.config = config.allowOnly(TOP_KEYS);
        config.getSection("data").allowOnly(DATA_KEYS);
        config.getSection("training", Map.of()).allowOnly(TRAINING_KEYS);
        config.getSection("model");
        RecipeCheck.check(config);
        if (config.has("privacy")) PrivacyConfig.check(config.getSection("privacy"));
    }

    /**
     * Where and how to run; null fields keep the config's values. {@code steps} replaces training.steps and
     * training.epochs (with {@code epochs} too, training ends at whichever comes first); {@code epochs} alone
     * is refused for a recipe that trains by steps (it would be silently capped by the recipe's steps).
     */
    public record Options(Path outDir, Path dataDir, Integer epochs, Long seed, boolean progress, PrintStream log, Path resumeFrom, Integer steps) {
        public Options(Path outDir, Path dataDir, Integer epochs, Long seed, boolean progress, PrintStream log) {
            this(outDir, dataDir, epochs, seed, progress, log, null, null);
        }

        public Options(Path outDir, Path dataDir, Integer epochs, Long seed, boolean progress, PrintStream log, Path resumeFrom) {
            this(outDir, dataDir, epochs, seed, progress, log, resumeFrom, null);
        }
    }

    public record Result(Path modelDir, History history, Map<String, Double> test) {}

    /** What a config's data section turns into: datasets, the fitted tokenizer (text only), the model config and config.json additions. */
    record Prepared(String task, Dataset train, Dataset validation, Dataset test,
                    Tokenizer tokenizer, Map<String, Object> modelConfig, Map<String, Object> extra) {}

    public String name() {
        return config.getString("name", "run");
    }

    public Result run(Options o) throws IOException {
        return run(o, null);
    }

    /**
     * Runs as one replica of data-parallel training ({@code parallel} null: alone). Every rank reads the data and
     * trains its share of each batch; rank 0 alone validates, logs, writes {@code OUT} and tests, and the others
     * return a result without a model directory.
     */
    public Result run(Options o, DataParallel parallel) throws IOException {
        boolean lead = parallel == null || parallel.rank() == 0;
        if (parallel != null && config.has("privacy")) {
            throw new ConfigException("privacy (DP-SGD) does not train data-parallel yet: run recipe '" + name() + "' without --spark");
        }
        PrintStream log = o.log() != null ? o.log() : System.out;
        long seed = o.seed() != null ? o.seed() : config.getInt("seed", 0);
        Rng.manualSeed(seed);
        Config data = config.getSection("data");
        Config training = config.getSection("training", Map.of());
        int steps = steps(training, o); // before any data is read: a refused override costs nothing

        Prepared prepared = Seq2SeqTask.applies(data) ? Seq2SeqTask.prepare(config, o.dataDir())
                : data.has("tokenizer") ? TextTask.prepare(config, o.dataDir()) : prepareTensors(data, o.dataDir(), seed);
        String task = prepared.task();
        Module model = Layers.fromConfig(new Config(config.where() + ": model", prepared.modelConfig()));
        Optimizer optimizer = Optimizers.fromConfig(config.getSection("optimizer", Map.of("type", "adam")), model.parameters());
        int batchSize = training.getInt("batch_size", 32);
        int epochs = o.epochs() != null ? o.epochs() : training.getInt("epochs", 1);
        DataLoader trainLoader = DataLoader.of(prepared.train()).batchSize(batchSize)
                .dropLast(training.getBoolean("drop_last", false)).prefetch(2);
        if (config.has("privacy")) trainLoader.poissonSampling(seed); // what DP-SGD's accounting assumes
        else if (training.getBoolean("shuffle", true)) trainLoader.shuffle(seed);
        if (training.has("augment")) trainLoader.augment(Augmentations.of(training.getSections("augment")), seed);
        if (steps > 0 && o.epochs() == null) epochs = (steps + trainLoader.numBatches() - 1) / trainLoader.numBatches();
        int evalBatch = task.equals(TextTask.LANGUAGE_MODEL) ? batchSize : Math.max(batchSize, 256);
        DataLoader valLoader = prepared.validation() == null || !lead ? null : DataLoader.of(prepared.validation()).batchSize(evalBatch);

        Loss loss = task.equals(Seq2SeqTask.TASK) ? Seq2SeqTask.loss(prepared.modelConfig()) : loss();
        Trainer trainer = Trainer.of(model).optimizer(optimizer).loss(loss).maxSteps(steps).seed(seed)
                .clipGradNorm(training.getDouble("clip_grad_norm", 0))
                .regularization(training.getDouble("l1", 0), training.getDouble("l2", 0)).dataParallel(parallel);
        DpSgd privacy = config.has("privacy")
                ? PrivacyConfig.build(config.getSection("privacy"), model, batchSize, prepared.train().size(), epochs, seed) : null;
        if (privacy != null) trainer.privacy(privacy);
        if (training.has("adversarial")) trainer.adversarial(Attack.fromConfig(training.getSection("adversarial")));
        for (String m : training.getStrings("metrics", defaultMetrics(task))) {
            // a model trained with bce outputs probabilities: its accuracy thresholds at 0.5, not at logit 0
            trainer.metrics(m.equals("accuracy") && lossName().equals("bce") ? Metric.accuracy(0.5f) : Metric.fromName(m));
        }
        if (config.has("schedule")) {
            optimizer.setSchedule(Schedules.fromConfig(config.getSection("schedule"), optimizer.baseLr(), trainLoader.numBatches()));
        }

        if (!lead) {
            if (o.resumeFrom() != null) epochs -= resume(o.resumeFrom(), model, optimizer, trainer, new PrintStream(java.io.OutputStream.nullOutputStream()));
            return new Result(null, trainer.fit(trainLoader, null, epochs), null);
        }
        Path out = o.outDir();
        Files.createDirectories(out);
        Path modelDir = out.resolve("model");
        Path metricsFile = out.resolve("metrics.jsonl");
        if (o.resumeFrom() != null) epochs -= resume(o.resumeFrom(), model, optimizer, trainer, log);
        // A resumed run continues the history: lines of epochs after its checkpoint were not kept and are redone.
        if (o.resumeFrom() != null) MetricsLog.keepEpochs(metricsFile, trainer.epoch());
        else Files.deleteIfExists(metricsFile);
        Map<String, Object> extra = describe(prepared.extra());
        List<Callback> callbacks = new ArrayList<>();
        callbacks.add(new ProgressBar(log, o.progress()));
        callbacks.add(new MetricsLog(metricsFile).logSteps(STEP_RECORDS));
        callbacks.add(new TensorBoard(out, o.resumeFrom() == null));
        if (training.has("early_stopping")) {
            Config es = training.getSection("early_stopping").allowOnly("monitor", "patience", "min_delta");
            callbacks.add(new EarlyStopping(es.getString("monitor", "val_loss"), es.getInt("patience", 3), es.getDouble("min_delta", 0)));
        }
        if (training.has("checkpoint")) {
            Config cp = training.getSection("checkpoint").allowOnly("monitor", "every");
            if (cp.has("every")) callbacks.add(new Checkpoint(modelDir, cp.getInt("every"), extra, prepared.tokenizer()));
            if (cp.has("monitor") || !cp.has("every")) {
                callbacks.add(new BestModelCheckpoint(out.resolve("best"), cp.getString("monitor", "val_loss"), extra, prepared.tokenizer()));
            }
        }
        trainer.callbacks(callbacks.toArray(new Callback[0]));

        log.printf("%s: %s, %,d parameters, %,d train / %s validation examples, %s%s%n", name(), task.replace('_', ' '),
                model.parameterCount(), prepared.train().size(),
                prepared.validation() == null ? "no" : String.format("%,d", prepared.validation().size()),
                steps > 0 ? steps + " steps" : epochs + " epochs", parallel == null ? "" : ", data-parallel on " + parallel.workers() + " workers");
        if (privacy != null) {
            log.printf("DP-SGD: noise multiplier %.4f, max grad norm %s, expected batch %d (q = %.5f), %s accountant, δ = %s%n",
                    privacy.noiseMultiplier(), privacy.maxGradNorm(), batchSize, privacy.sampleRate(),
                    privacy.report().get("accountant"), privacy.delta());
        }
        History history = trainer.fit(trainLoader, valLoader, epochs);
        if (privacy != null) {
            extra.put("privacy", privacy.report()); // the model card's record of what was spent
            log.printf("DP-SGD: ε = %.4f at δ = %s after %d steps%n", privacy.epsilon(), privacy.delta(), privacy.steps());
        }

        Checkpoint.save(modelDir, trainer, extra, prepared.tokenizer());

        Map<String, Double> testLogs = null;
        if (prepared.test() != null) {
            testLogs = trainer.evaluate(DataLoader.of(prepared.test()).batchSize(evalBatch));
            if (task.equals(TextTask.LANGUAGE_MODEL)) testLogs.put("perplexity", Math.exp(testLogs.get("loss")));
            StringBuilder sb = new StringBuilder("test");
            testLogs.forEach((k, v) -> sb.append(String.format("  %s %.4f", k, v)));
            if (task.equals(Seq2SeqTask.TASK)) testLogs.putAll(Seq2SeqTask.rouge(config, model, prepared.tokenizer(), o.dataDir(), log));
            log.println(sb);
        }
        if (config.has("generate") && !task.equals(Seq2SeqTask.TASK)) sample(model, prepared.tokenizer(), log);
        log.println("saved model to " + modelDir + " and metrics to " + metricsFile);
        return new Result(modelDir, history, testLogs);
    }

    /** The number of optimizer steps to stop after (0: run the epochs), checking that the overrides in {@code o} apply. */
    private int steps(Config training, Options o) {
        if (o.epochs() != null && o.epochs() < 1) throw new ConfigException("--epochs must be at least 1, got " + o.epochs());
        if (o.steps() != null) {
            if (o.steps() < 1) throw new ConfigException("--steps must be at least 1, got " + o.steps());
            return o.steps();
        }
        int steps = training.getInt("steps", 0);
        if (steps > 0 && o.epochs() != null) {
            throw new ConfigException("--epochs does not apply: recipe '" + name() + "' trains by steps (training.steps: " + steps
                    + "), not epochs; use --steps N (with --epochs too, training ends at whichever comes first)");
        }
        return steps;
    }

    /** The config's {@code generate} section: a text sample from the trained language model, printed to the log. */
    private void sample(Module model, Tokenizer tokenizer, PrintStream log) {
        Config g = config.getSection("generate").allowOnly("prompt", "max_tokens", "temperature", "top_k", "top_p", "seed");
        if (!(model instanceof Gpt gpt) || tokenizer == null) {
            throw new ConfigException("generate: only a language model (model type Gpt with a tokenizer) can generate text");
        }
        var settings = GenerationConfig.builder().maxNewTokens(g.getInt("max_tokens", 200))
                .temperature(g.getFloat("temperature", 1f)).topK(g.getInt("top_k", 0)).topP(g.getFloat("top_p", 1f))
                .seed(g.getInt("seed", 0)).build();
        String prompt = g.getString("prompt");
        var result = new TextGenerator(gpt, tokenizer).generate(prompt, settings);
        log.println("sample: " + prompt + result.text());
    }

    /** Loads weights, optimizer state and the epoch/step counters of a saved run; returns the epochs already done. */
    private static int resume(Path dir, Module model, Optimizer optimizer, Trainer trainer, PrintStream log) throws IOException {
        model.loadStateDict(ModelDirectory.load(dir).model().stateDict());
        var state = ModelDirectory.loadTrainingState(dir).orElseThrow(() -> new IllegalArgumentException(
                dir + " has no optimizer.safetensors/training_state.json to resume from"));
        optimizer.loadStateDict(state.optimizer());
        int epoch = ((Number) state.trainer().getOrDefault("epoch", 0)).intValue();
        int step = ((Number) state.trainer().getOrDefault("global_step", 0)).intValue();
        Map<String, Double> lastLogs = new LinkedHashMap<>();
        if (state.trainer().get("logs") instanceof Map<?, ?> logs) {
            logs.forEach((k, v) -> {
                if (v instanceof Number n) lastLogs.put(String.valueOf(k), n.doubleValue());
            });
        }
        trainer.startAt(epoch, step, lastLogs);
        log.printf("resuming from %s after epoch %d (step %d)%n", dir, epoch, step);
        return epoch;
    }

    private static TensorDataset rescaled(TensorDataset d, Scaler scaler) {
        Tensor x = scaler.transform(d.x());
        return d.labels() != null ? new TensorDataset(x, d.labels(), d.classNames()) : new TensorDataset(x, d.targets());
    }

    /** The loss: a name, or a mapping with a type and label_smoothing. */
    Loss loss() {
        if (config.asMap().get("loss") instanceof Map<?, ?>) {
            Config l = config.getSection("loss").allowOnly("type", "label_smoothing");
            return Loss.named(l.getString("type"), l.getFloat("label_smoothing", 0f));
        }
        return Loss.named(lossName(), 0f);
    }

    private String lossName() {
        Object raw = config.asMap().get("loss");
        return raw == null ? "cross_entropy" : Loss.nameOf(raw);
    }

    /** Train, validation and test sets of a tensor data set (not text), scaled as configured. */
    private Prepared prepareTensors(Config data, java.nio.file.Path dataDir, long seed) {
        var opened = Datasets.open(data.getString("train"), dataDir);
        TensorDataset train = opened.dataset();
        Scaler scaler = opened.scaler();
        TensorDataset validation = null;
        if (data.has("validation")) {
            validation = Datasets.open(data.getString("validation"), dataDir).dataset();
        } else if (data.has("validation_split")) {
            double fraction = data.getDouble("validation_split");
            if (!(fraction > 0 && fraction < 1)) {
                throw new ConfigException("data.validation_split must be between 0 and 1, got " + fraction);
            }
            var parts = Split.randomSplit(train, 1 - fraction, seed);
            train = parts.first();
            validation = parts.second();
        }
        TensorDataset test = data.has("test") ? Datasets.open(data.getString("test"), dataDir).dataset() : null;
        List<String> featureNames = train.featureNames(); // rescaling drops them
        if (data.has("scale")) {
            // Fitted on the training rows only, then applied unchanged to validation and test.
            if (scaler != null) throw new ConfigException("data.scale: " + data.getString("train") + " is scaled already");
            scaler = switch (data.getString("scale")) {
                case "standard" -> new StandardScaler();
                case "minmax" -> new MinMaxScaler(0f, 1f);
                default -> throw new ConfigException("data.scale must be standard or minmax, got '" + data.getString("scale") + "'");
            };
            scaler.fit(train.x());
            train = rescaled(train, scaler);
            validation = validation == null ? null : rescaled(validation, scaler);
            test = test == null ? null : rescaled(test, scaler);
        }
        String task = config.getString("task", train.labels() != null ? "classification" : "regression");
        if (!task.equals("classification") && !task.equals("regression")) {
            throw new ConfigException("task must be classification or regression, got '" + task + "'");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("task", task);
        int[] shape = train.x().shape();
        extra.put("input_shape", java.util.Arrays.copyOfRange(shape, 1, shape.length));
        if (train.classNames() != null) extra.put("class_names", train.classNames());
        if (!featureNames.isEmpty()) extra.put("feature_names", featureNames);
        if (scaler != null) extra.put("preprocessing", Map.of("scaler", ModelCard.scalerJson(scaler)));
        return new Prepared(task, train, validation, test, null, config.getSection("model").asMap(), extra);
    }

    private static List<String> defaultMetrics(String task) {
        return switch (task) {
            case "regression" -> List.of("mse", "mae", "r2");
            case TextTask.LANGUAGE_MODEL -> List.of("perplexity");
            case Seq2SeqTask.TASK -> List.of();
            default -> List.of("accuracy");
        };
    }

    /** What a model directory needs beyond weights to be used: task, classes, input shape, preprocessing, recipe. */
    private Map<String, Object> describe(Map<String, Object> data) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("name", name());
        extra.putAll(data);
        Object loss = config.asMap().get("loss");
        extra.put("loss", loss == null ? "cross_entropy" : loss);
        extra.put("recipe", config.asMap());
        return extra;
    }
}
