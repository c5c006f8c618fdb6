package gradus.io;

import gradus.nn.Module;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A saved model as a directory: {@code config.json} (format, architecture, and whatever an
 * application needs: task, class names, input shape, preprocessing…) and {@code model.safetensors}
 * (the state dict). Training can add {@code optimizer.safetensors} and {@code training_state.json}
 * to resume. Each file is replaced atomically; the weights are written before the config.
 */
public final class ModelDirectory {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String TRAINING_STATE_FILE = "training_state.json";
    /** A text model's tokenizer, in the Hugging Face tokenizer.json format. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String FORMAT = "gradus";
    public static final int FORMAT_VERSION = 1;
    private static final List<String> RESERVED = List.of("format", "format_version", "model");
    private static final Map<String, String> WEIGHTS_METADATA = weightsMetadata();

    private ModelDirectory() {}

    private static Map<String, String> weightsMetadata() {
        Map<String, String> m = new LinkedHashMap<>(); // ordered, so equal models give equal bytes
        m.put("format", FORMAT);
        m.put("format_version", Integer.toString(FORMAT_VERSION));
        return m;
    }

    /** A loaded model (in eval mode) and the whole {@code config.json}. */
    public record Loaded(Module model, Map<String, Object> config) {}

    /** Optimizer tensors and the trainer's own state (epoch, step, learning rate, …). */
    public record TrainingState(Map<String, Tensor> optimizer, Map<String, Object> trainer) {}

    // ---------------------------------------------------------------- model

    /**
     * Writes {@code config.json} = {format, format_version, model: model.config(), ...extra} and
     * {@code model.safetensors} = model.stateDict(). {@code extra} must not use the keys
     * format, format_version or model.
     */
    public static void save(Path dir, Module model, Map<String, Object> extra) throws IOException {
        Map<String, Object> config = stamped(model.config(), extra);
        String json = Json.pretty(config); // before touching any file, so an unserializable extra changes nothing
        Safetensors.write(dir.resolve(WEIGHTS_FILE), model.stateDict(), WEIGHTS_METADATA);
        AtomicFiles.writeString(dir.resolve(CONFIG_FILE), json);
    }

    public static Loaded load(Path dir) throws IOException {
        Map<String, Object> config = readConfig(dir);
        Module model = buildModel(dir.resolve(CONFIG_FILE), config);
        Path weights = existing(dir, WEIGHTS_FILE);
        try {
            model.loadStateDict(Safetensors.read(weights).tensors());
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(weights, "weights do not match the architecture in " + CONFIG_FILE + ": " + e.getMessage(), e);
        }
        model.eval();
        return new Loaded(model, config);
    }

    /** The tokenizer saved beside a text model; fails naming the directory when there is none. */
    public static gradus.text.Tokenizer tokenizer(Path dir) throws IOException {
        Path file = existing(dir, TOKENIZER_FILE);
        return gradus.text.Tokenizers.load(file);
    }

    /** The validated {@code config.json} of a model directory, without loading weights. */
    public static Map<String, Object> readConfig(Path dir) throws IOException {
        Path file = existing(dir, CONFIG_FILE);
        Map<String, Object> config = Json.readObject(file);
        checkFormat(file, config);
        if (!(config.get("model") instanceof Map<?, ?>)) {
            throw new FileFormatException(file, "missing 'model' section describing the architecture");
        }
        ModelConfigCheck.applicationFields(file, config);
        return config;
    }

    /** Sizes are checked against the weights beside the config before anything is allocated (see {@link ModelConfigCheck}). */
    private static Module buildModel(Path configFile, Map<String, Object> config) throws IOException {
        return ModelConfigCheck.build(configFile, config, configFile.resolveSibling(WEIGHTS_FILE));
    }

    // ---------------------------------------------------------------- training state

    /**
     * Writes {@code optimizer.safetensors} and {@code training_state.json} (the trainer state plus
     * format fields) so training can resume. {@code trainerState} must not use format or format_version.
     */
    public static void saveTrainingState(Path dir, Map<String, Tensor> optimizerState, Map<String, Object> trainerState) throws IOException {
        String json = Json.pretty(stamped(null, trainerState));
        Safetensors.write(dir.resolve(OPTIMIZER_FILE), optimizerState, WEIGHTS_METADATA);
        AtomicFiles.writeString(dir.resolve(TRAINING_STATE_FILE), json);
    }

    /** The saved training state, or empty when the directory holds none (a model saved only for use). */
    public static Optional<TrainingState> loadTrainingState(Path dir) throws IOException {
        requireDirectory(dir);
        Path optimizer = dir.resolve(OPTIMIZER_FILE), state = dir.resolve(TRAINING_STATE_FILE);
        boolean hasOptimizer = Files.exists(optimizer), hasState = Files.exists(state);
        if (!hasOptimizer && !hasState) return Optional.empty();
        if (!hasOptimizer || !hasState) {
            throw new FileFormatException(hasOptimizer ? state : optimizer, "missing; the training state in " + dir
                    + " is incomplete (" + (hasOptimizer ? OPTIMIZER_FILE : TRAINING_STATE_FILE) + " exists without it)");
        }
        Map<String, Object> trainer = Json.readObject(state);
        checkFormat(state, trainer);
        trainer.remove("format");
        trainer.remove("format_version");
        return Optional.of(new TrainingState(Safetensors.read(optimizer).tensors(), trainer));
    }

    // ---------------------------------------------------------------- helpers

    /** format, format_version, the model config when given, then {@code fields}. */
    private static Map<String, Object> stamped(Map<String, Object> model, Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", FORMAT);
        out.put("format_version", FORMAT_VERSION);
        if (model != null) out.put("model", model);
        for (var e : fields.entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                throw new IllegalArgumentException("key '" + e.getKey() + "' is reserved (" + String.join(", ", RESERVED) + " are written by Gradus)");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static void checkFormat(Path file, Map<String, Object> json) throws FileFormatException {
        Object format = json.get("format"), version = json.get("format_version");
        if (!FORMAT.equals(format)) {
            throw new FileFormatException(file, "'format' is " + (format == null ? "missing" : "'" + format + "'") + ", expected '" + FORMAT + "'");
        }
        if (!(version instanceof Integer v)) {
            throw new FileFormatException(file, "'format_version' must be an integer, got " + version);
        }
        if (v != FORMAT_VERSION) {
            throw new FileFormatException(file, "unsupported format_version " + v + "; this Gradus reads version " + FORMAT_VERSION
                    + (v > FORMAT_VERSION ? " (the model was saved by a newer Gradus)" : ""));
        }
    }

    private static void requireDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) throw new FileFormatException(dir, "not a directory; a model is a directory with " + CONFIG_FILE + " and " + WEIGHTS_FILE);
            throw new NoSuchFileException(dir.toString(), null, "model directory not found");
        }
    }

    private static Path existing(Path dir, String name) throws IOException {
        requireDirectory(dir);
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "missing " + name + " in the model directory");
        return file;
    }

    // ---------------------------------------------------------------- describe

    /**
     * A readable summary for {@code gradus info}: files and sizes, layers with their parameter
     * counts, the stored tensors checked against the architecture, and the other config fields.
     * Reads only the weights' header, not the weights.
     */
    public static String describe(Path dir) throws IOException {
        Map<String, Object> config = readConfig(dir);
        Module model = buildModel(dir.resolve(CONFIG_FILE), config);
        Safetensors.Header weights = Safetensors.readHeader(existing(dir, WEIGHTS_FILE));
        StringBuilder sb = new StringBuilder();
        sb.append("Gradus model ").append(dir.toAbsolutePath().normalize()).append(" (format_version ").append(FORMAT_VERSION).append(")\n\nFiles\n");
        for (String name : List.of(CONFIG_FILE, WEIGHTS_FILE, OPTIMIZER_FILE, TRAINING_STATE_FILE)) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) sb.append(String.format(Locale.ROOT, "  %-22s %10s\n", name, humanBytes(Files.size(f))));
        }
        sb.append("\nLayers\n").append(layerTable(model));
        sb.append(String.format(Locale.ROOT, "Trainable parameters: %,d\n", model.parameterCount()));
        long stored = 0;
        TreeSet<String> dtypes = new TreeSet<>();
        for (var t : weights.tensors()) {
            stored += t.numel();
            dtypes.add(t.dtype().name());
        }
        sb.append(String.format(Locale.ROOT, "Stored tensors: %d (%,d values, %s)\n", weights.tensors().size(), stored, String.join(", ", dtypes)));
        String mismatch = mismatch(model.stateDict(), weights.tensors());
        if (!mismatch.isEmpty()) sb.append("WARNING: ").append(WEIGHTS_FILE).append(" does not match the architecture:").append(mismatch).append('\n');
        List<String> others = new ArrayList<>(config.keySet());
        others.removeAll(RESERVED);
        if (!others.isEmpty()) {
            sb.append("\nSettings\n");
            for (String k : others) sb.append("  ").append(k).append(": ").append(abbreviate(Json.MAPPER.writeValueAsString(config.get(k)), 100)).append('\n');
        }
        return sb.toString();
    }

    /** One row per module that owns parameters or has no children, with its dotted path. */
    private static String layerTable(Module model) {
        List<String[]> rows = new ArrayList<>();
        collectRows("", model, rows);
        int w0 = "Layer".length(), w1 = "Type".length();
        for (String[] r : rows) {
            w0 = Math.max(w0, r[0].length());
            w1 = Math.max(w1, r[1].length());
        }
        String fmt = "  %-" + w0 + "s  %-" + w1 + "s  %12s\n";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, fmt, "Layer", "Type", "Parameters"));
        for (String[] r : rows) sb.append(String.format(Locale.ROOT, fmt, (Object[]) r));
        return sb.toString();
    }

    private static void collectRows(String path, Module m, List<String[]> rows) {
        long own = 0;
        for (var e : m.namedParameters().entrySet()) if (!e.getKey().contains(".")) own += e.getValue().numel();
        if (m.children().isEmpty() || own > 0) {
            Map<String, Object> c = new LinkedHashMap<>(m.config());
            Object type = c.remove("type");
            String desc = (type == null ? m.getClass().getSimpleName() : type.toString())
                    + (m.children().isEmpty() && !c.isEmpty() ? c.toString().replace('{', '(').replace('}', ')') : "");
            rows.add(new String[]{path.isEmpty() ? "(model)" : path, desc, String.format(Locale.ROOT, "%,d", own)});
        }
        m.children().forEach((name, child) -> collectRows(path.isEmpty() ? name : path + "." + name, child, rows));
    }

    private static String mismatch(Map<String, Tensor> expected, List<Safetensors.TensorInfo> stored) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (var t : stored) shapes.put(t.name(), t.shape());
        TreeSet<String> missing = new TreeSet<>(expected.keySet()), unexpected = new TreeSet<>(shapes.keySet());
        missing.removeAll(shapes.keySet());
        unexpected.removeAll(expected.keySet());
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) sb.append(" missing ").append(missing).append(';');
        if (!unexpected.isEmpty()) sb.append(" unexpected ").append(unexpected).append(';');
        expected.forEach((k, t) -> {
            int[] s = shapes.get(k);
            if (s != null && !Arrays.equals(s, t.shape())) {
                sb.append(" '").append(k).append("' is ").append(Shape.str(s)).append(", model has ").append(Shape.str(t.shape())).append(';');
            }
        });
        return sb.toString();
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
