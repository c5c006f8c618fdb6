package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.nn.Module;
import gradus.train.Evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/**
 * One loaded model version: the module in eval mode, what its config.json says about inputs,
 * classes and preprocessing, and the {@link Batcher} that runs it.
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
    private final int[] inputShape;
    private final int outputSize;
    private final List<String> classNames;
    private final boolean classification;
    private final boolean outputsProbabilities;
    private final Batcher batcher;
    private final Module module;
    private volatile boolean serving;

    private ServedModel(String name, String version, Path dir, Module model, Map<String, Object> config,
                        int maxBatchSize, Duration maxDelay, IntConsumer batchSizes) {
        this.name = name;
        this.version = version;
        this.dir = dir;
        this.config = config;
        this.module = model;
        this.inputShape = inputShape(dir, config);
        this.classification = "classification".equals(config.get("task"));
        this.outputsProbabilities = Evaluation.probabilities(config.get("loss"));
        this.classNames = config.get("class_names") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : null;
        // The batcher runs the model as saved: preprocessing included, for every endpoint that infers.
        this.batcher = new Batcher(ModelDirectory.predictor(model, config), inputShape, maxBatchSize, maxDelay.toNanos(), rows -> {
            if (serving) batchSizes.accept(rows); // the dry run is not a request
        });
        this.outputSize = dryRun();
        if (classification && classNames != null && classNames.size() != probabilityWidth()) {
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
        return load(name, version, dir, maxBatchSize, maxDelay, batchSizes, gradus.io.ModelProtection.NONE);
    }

    /** Loads {@code dir} as {@code protection} allows (signed by a trusted key, decrypted with the key). */
    public static ServedModel load(String name, String version, Path dir, int maxBatchSize, Duration maxDelay, IntConsumer batchSizes,
                                   gradus.io.ModelProtection protection) throws IOException {
        var loaded = ModelDirectory.load(dir, protection);
        return new ServedModel(name, version, dir, loaded.model(), loaded.config(), maxBatchSize, maxDelay, batchSizes);
    }

    /** Wraps a model built in code (tests, embedding applications). */
    public static ServedModel of(String name, String version, Module model, Map<String, Object> config, int maxBatchSize, Duration maxDelay) {
        model.eval();
        return new ServedModel(name, version, null, model, config, maxBatchSize, maxDelay, n -> {});
    }

    /** {@code input_shape}: positive integers whose product is at most {@link #MAX_EXAMPLE_SIZE}. */
    private static int[] inputShape(Path dir, Map<String, Object> config) {
        String where = (dir == null ? "model" : dir.resolve(ModelDirectory.CONFIG_FILE).toString()) + ": 'input_shape'";
        if (!(config.get("input_shape") instanceof List<?> l) || l.isEmpty()) {
            throw new IllegalArgumentException(where + " is missing or not a list, so the server cannot tell what one example is");
        }
        int[] shape = new int[l.size()];
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            Object o = l.get(i);
            if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1 || n.doubleValue() > MAX_EXAMPLE_SIZE) {
                throw new IllegalArgumentException(where + " must hold positive integers, got " + o + " at index " + i);
            }
            shape[i] = n.intValue();
            size *= shape[i];
            if (size > MAX_EXAMPLE_SIZE) throw new IllegalArgumentException(where + " " + l + " has more than " + MAX_EXAMPLE_SIZE + " values per example");
        }
        return shape;
    }

    public String name() { return name; }

    public String version() { return version; }

    public Path dir() { return dir; }

    public Map<String, Object> config() { return config; }

    /** The network alone (in eval mode), without the preprocessing: what explanations differentiate. */
    public Module module() { return module; }

    public int[] inputShape() { return inputShape.clone(); }

    public int exampleSize() { return batcher.exampleSize(); }

    public int outputSize() { return outputSize; }

    public List<String> classNames() { return classNames; }

    public boolean isClassification() { return classification; }

    int queueDepth() { return batcher.queueDepth(); }

    /** Output names: the raw output, and class probabilities for classifiers. */
    public List<String> outputNames() {
        return classification ? List.of(OUTPUT, PROBABILITIES) : List.of(OUTPUT);
    }

    /** Per-example shape of an output. */
    public int[] outputShape(String output) {
        return output.equals(PROBABILITIES) ? new int[]{probabilityWidth()} : new int[]{outputSize};
    }

    int probabilityWidth() {
        return outputSize == 1 ? 2 : outputSize;
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
        int w = probabilityWidth();
        float[] p = new float[n * w];
        for (int r = 0; r < n; r++) {
            if (outputSize == 1) {
                float v = outputs[r];
                float q = outputsProbabilities ? v : (float) (1 / (1 + Math.exp(-v)));
                p[r * 2] = 1 - q;
                p[r * 2 + 1] = q;
            } else {
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < w; i++) max = Math.max(max, outputs[r * w + i]);
                double sum = 0;
                for (int i = 0; i < w; i++) sum += p[r * w + i] = (float) Math.exp(outputs[r * w + i] - max);
                for (int i = 0; i < w; i++) p[r * w + i] /= (float) sum;
            }
        }
        return p;
    }

    public String className(int index) {
        return classNames != null && index < classNames.size() ? classNames.get(index) : Integer.toString(index);
    }

    /** The classes of a probability row, most likely first. */
    List<Integer> ranked(float[] probs, int row) {
        int w = probabilityWidth();
        List<Integer> order = new ArrayList<>(w);
        for (int i = 0; i < w; i++) order.add(i);
        order.sort((a, b) -> Float.compare(probs[row * w + b], probs[row * w + a]));
        return order;
    }

    @Override
    public String toString() {
        return name + "/" + version + " " + Arrays.toString(inputShape);
    }
}
