package gradus.serve;

import gradus.files.FileFormatException;
import gradus.inference.Predictor;
import gradus.io.ModelCard;
import gradus.io.ModelDirectory;
import gradus.io.ModelProtection;
import gradus.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/**
 * One loaded model version: its {@link Predictor} (the module in eval mode, the card's inputs, classes and
 * preprocessing, the task's post-processing), and the {@link Batcher} that runs it.
 */
public final class ServedModel {
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    public static final String PROBABILITIES = "probabilities";
    /** The most values one example may have (64 MB of floats). */
    static final int MAX_EXAMPLE_SIZE = 1 << 24;
    private static final Duration DRY_RUN_TIMEOUT = Duration.ofMinutes(1);

    private final String name;
    private final String version;
    private final Path dir;
    private final Map<String, Object> config;
    private final Predictor predictor;
    private final int[] inputShape;
    private final int outputSize;
    private final Batcher batcher;
    private volatile boolean serving;

    private ServedModel(String name, String version, Path dir, Predictor predictor, Map<String, Object> config,
                        int maxBatchSize, Duration maxDelay, IntConsumer batchSizes) {
        this.name = name;
        this.version = version;
        this.dir = dir;
        this.config = config;
        this.predictor = predictor;
        this.inputShape = inputShape(dir, predictor.card());
        // The batcher runs the model as saved: preprocessing included, for every endpoint that infers.
        this.batcher = new Batcher(predictor::forward, inputShape, maxBatchSize, maxDelay.toNanos(), rows -> {
            if (serving) batchSizes.accept(rows); // the dry run is not a request
        });
        this.outputSize = dryRun();
        List<String> classNames = classNames();
        if (isClassification() && classNames != null && classNames.size() != probabilityWidth()) {
            throw new IllegalArgumentException(source() + ": 'class_names' has " + classNames.size() + " names but the model gives "
                    + probabilityWidth() + " class probabilities");
        }
        this.serving = true;
    }

    /**
     * Runs one zero example through the path a request takes (preprocessing, the batcher, the
     * model): a model whose scaler, layers or weights cannot serve its own input shape fails at
     * load, not at every request. Returns the output width.
     */
    private int dryRun() {
        try {
            float[] out = batcher.infer(new float[batcher.exampleSize()], 1, DRY_RUN_TIMEOUT.toNanos());
            if (out.length == 0) throw new IllegalArgumentException("it gave no output");
            return out.length;
        } catch (RuntimeException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            Throwable cause = e instanceof IllegalStateException && e.getCause() instanceof Error err ? err : e; // the batcher wraps Errors
            throw new IllegalArgumentException(source() + ": the dry run on one zero input of shape " + Arrays.toString(inputShape)
                    + " failed: " + LoadFailure.reason(cause), e);
        }
    }

    private String source() {
        return dir == null ? "model '" + name + "'" : dir.toString();
    }

    /** Loads {@code dir} (config.json + model.safetensors). */
    public static ServedModel load(String name, String version, Path dir, int maxBatchSize, Duration maxDelay, IntConsumer batchSizes) throws IOException {
        return load(name, version, dir, maxBatchSize, maxDelay, batchSizes, ModelProtection.NONE);
    }

    /** Loads {@code dir} as {@code protection} allows (signed by a trusted key, decrypted with the key). */
    public static ServedModel load(String name, String version, Path dir, int maxBatchSize, Duration maxDelay, IntConsumer batchSizes,
                                   ModelProtection protection) throws IOException {
        var loaded = ModelDirectory.load(dir, protection);
        Predictor predictor = Predictor.of(loaded.model(), loaded.card(), null);
        return new ServedModel(name, version, dir, predictor, loaded.config(), maxBatchSize, maxDelay, batchSizes);
    }

    /** Wraps a model built in code (tests, embedding applications); {@code config} holds its card's fields. */
    public static ServedModel of(String name, String version, Module model, Map<String, Object> config, int maxBatchSize, Duration maxDelay) {
        ModelCard card;
        try {
            Map<String, Object> full = new LinkedHashMap<>(config);
            full.putIfAbsent("model", model.config());
            card = ModelCard.read(Path.of("model '" + name + "'"), full, false);
        } catch (FileFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new ServedModel(name, version, null, Predictor.of(model, card, null), config, maxBatchSize, maxDelay, n -> {});
    }

    /** The card's input shape (recorded or inferred): positive integers whose product is at most {@link #MAX_EXAMPLE_SIZE}. */
    private static int[] inputShape(Path dir, ModelCard card) {
        String where = (dir == null ? "model" : dir.resolve(ModelDirectory.CONFIG_FILE).toString()) + ": 'input_shape'";
        int[] shape = card.inputShape();
        if (shape == null) {
            throw new IllegalArgumentException(where + " is missing or not a list, so the server cannot tell what one example is");
        }
        long size = 1;
        for (int d : shape) {
            size *= d;
            if (size > MAX_EXAMPLE_SIZE) throw new IllegalArgumentException(where + " " + Arrays.toString(shape) + " has more than " + MAX_EXAMPLE_SIZE + " values per example");
        }
        return shape;
    }

    public String name() { return name; }

    public String version() { return version; }

    public Path dir() { return dir; }

    public Map<String, Object> config() { return config; }

    public ModelCard card() { return predictor.card(); }

    public Predictor predictor() { return predictor; }

    /** The network alone (in eval mode), without the preprocessing: what explanations differentiate. */
    public Module module() { return predictor.model(); }

    public int[] inputShape() { return inputShape.clone(); }

    public int exampleSize() { return batcher.exampleSize(); }

    public int outputSize() { return outputSize; }

    public List<String> classNames() { return predictor.card().classNames(); }

    public boolean isClassification() { return predictor.card().isClassification(); }

    int queueDepth() { return batcher.queueDepth(); }

    /** Output names: the raw output, and class probabilities for classifiers. */
    public List<String> outputNames() {
        return isClassification() ? List.of(OUTPUT, PROBABILITIES) : List.of(OUTPUT);
    }

    /** Per-example shape of an output. */
    public int[] outputShape(String output) {
        return output.equals(PROBABILITIES) ? new int[]{probabilityWidth()} : new int[]{outputSize};
    }

    int probabilityWidth() {
        return Predictor.probabilityWidth(outputSize);
    }

    /**
     * Model outputs for n raw examples given row-major (n × exampleSize values), through the batcher, which
     * applies the preprocessing recorded in config.json first.
     */
    public float[] infer(float[] rows, int n, Duration timeout) {
        if (rows.length != n * exampleSize()) {
            throw ApiException.badRequest("model '" + name + "' takes " + exampleSize() + " values per example, got " + rows.length + " for " + n);
        }
        try {
            return batcher.infer(rows, n, timeout.toNanos());
        } catch (TimeoutException e) {
            throw new ApiException(503, "inference on model '" + name + "' did not start within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("model '" + name + "' rejected the input: " + e.getMessage());
        } // anything else is the server's fault: the server answers "internal error" and logs the details
    }

    /** Class probabilities from raw outputs (n rows): softmax, or [1-p, p] for a single output. */
    public float[] probabilities(float[] outputs, int n) {
        return predictor.probabilities(outputs, n);
    }

    public String className(int index) {
        return predictor.card().className(index);
    }

    /** The classes of a probability row, most likely first. */
    List<Integer> ranked(float[] probs, int row) {
        int w = probabilityWidth();
        return predictor.topK(probs, row, w, w).stream().map(Predictor.Scored::index).toList();
    }

    @Override
    public String toString() {
        return name + "/" + version + " " + Arrays.toString(inputShape);
    }
}
