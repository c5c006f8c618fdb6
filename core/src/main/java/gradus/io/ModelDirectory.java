package gradus.io;

import gradus.text.Tokenizers;
import gradus.text.Tokenizer;
import gradus.files.IOConsumer;
import gradus.files.FileFormatException;
import gradus.nn.Module;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
 * to resume. The files of one save form a set, listed with their sizes and hashes in
 * {@code manifest.json}: a save replaces them all or none (see {@link FileSet}, also when the process is
 * killed or the disk fills up), and a load refuses files that are not of one set, naming them.
 */
public final class ModelDirectory {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String TRAINING_STATE_FILE = "training_state.json";
    /** A text model's tokenizer, in the Hugging Face tokenizer.json format. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** The files of the last save with their sizes and SHA-256 hashes (absent in older or hand-made directories). */
    public static final String MANIFEST_FILE = FileSet.MANIFEST;
    public static final String FORMAT = "gradus";
    public static final int FORMAT_VERSION = 1;
    private static final List<String> RESERVED = List.of("format", "format_version", "model", "schema_version");
    private static final Map<String, String> WEIGHTS_METADATA = weightsMetadata();

    private ModelDirectory() {}

    private static Map<String, String> weightsMetadata() {
        Map<String, String> m = new LinkedHashMap<>(); // ordered, so equal models give equal bytes
        m.put("format", FORMAT);
        m.put("format_version", Integer.toString(FORMAT_VERSION));
        return m;
    }

    /**
     * A loaded model (in eval mode), the whole {@code config.json} and its {@link ModelCard}. {@link #model()} is the
     * network alone (to train on or inspect); {@link #predict} is the model as saved: the card's preprocessing, then the
     * network. {@code gradus.inference.Predictor} adds input decoding and the task's post-processing.
     */
    public record Loaded(Module model, Map<String, Object> config, ModelCard card) {
        /** Outputs for a batch of raw inputs [N, ...input_shape]: the card's scaler (if any) is applied first. */
        public Tensor predict(Tensor batch) {
            return model.predict(card.preprocess(batch));
        }
    }

    /** Optimizer tensors and the trainer's own state (epoch, step, learning rate, …). */
    public record TrainingState(Map<String, Tensor> optimizer, Map<String, Object> trainer) {}

    // ---------------------------------------------------------------- model

    /**
     * Writes {@code config.json} = {format, format_version, model: model.config(), ...extra} and
     * {@code model.safetensors} = model.stateDict(). {@code extra} must not use the keys
     * format, format_version or model. A training state saved before in {@code dir} is removed (it belonged
     * to other weights).
     */
    public static void save(Path dir, Module model, Map<String, Object> extra) throws IOException {
        save(dir, model, extra, null);
    }

    /**
     * Saves the model as {@link #save(Path, Module, Map)} does and, when {@code training} is not null, the
     * optimizer tensors ({@code optimizer.safetensors}) and trainer state ({@code training_state.json}, which
     * must not use format or format_version) to resume from, all as one set.
     */
    public static void save(Path dir, Module model, Map<String, Object> extra, TrainingState training) throws IOException {
        // Serialized before touching any file, so an unserializable extra changes nothing.
        String config = Json.pretty(stamped(model.config(), extra));
        Map<String, IOConsumer<OutputStream>> files = new LinkedHashMap<>();
        files.put(WEIGHTS_FILE, tensors(model.stateDict()));
        files.put(CONFIG_FILE, text(config));
        if (training != null) {
            String state = Json.pretty(stamped(null, training.trainer()));
            files.put(OPTIMIZER_FILE, tensors(training.optimizer()));
            files.put(TRAINING_STATE_FILE, text(state));
        }
        // a signature of the previous set is void now: removed, so the directory reads as unsigned rather than tampered
        FileSet.save(dir, files, List.of(OPTIMIZER_FILE, TRAINING_STATE_FILE, ModelSignature.SIGNATURE_FILE));
    }

    private static IOConsumer<OutputStream> tensors(Map<String, Tensor> tensors) {
        return out -> Safetensors.write(out, tensors, Map.of(), WEIGHTS_METADATA);
    }

    private static IOConsumer<OutputStream> text(String content) {
        return out -> out.write(content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Tidies {@code dir} after a killed save: finishes a save that was killed after its commit, removes the
     * temporary files killed saves left. Every save does this first; call it for a directory that may not be saved again.
     */
    public static void recover(Path dir) throws IOException {
        if (Files.isDirectory(dir)) FileSet.recover(dir.toAbsolutePath());
    }

    /**
     * The model and config of the last save. Fails with a {@link FileFormatException} naming the files when
     * they are not the set saved together (see {@link #MANIFEST_FILE}).
     */
    public static Loaded load(Path dir) throws IOException {
        return load(dir, ModelProtection.NONE);
    }

    /**
     * Loads as {@link #load(Path)} does after checking the directory's signature ({@link ModelSignature#verify}):
     * with trusted keys, only a directory signed by one of them loads; without, a signed directory must still match
     * its signature. With a key, the directory is decrypted first ({@link ModelEncryption}). Fails naming the file at fault.
     */
    public static Loaded load(Path dir, ModelProtection protection) throws IOException {
        requireDirectory(dir);
        if (protection.key() != null) {
            var plain = ModelEncryption.decryptedCopy(dir, protection.key());
            try (plain) {
                return load(plain.dir(), new ModelProtection(protection.trustedKeys(), null));
            } catch (FileFormatException e) {
                throw plain.relabel(e);
            }
        }
        refuseEncrypted(dir);
        ModelSignature.verify(dir, protection.trustedKeys());
        for (int attempt = 1; ; attempt++) {
            FileSet files = open(dir);
            try {
                return load(dir, files);
            } catch (IOException e) {
                if (attempt == 3 || !files.replaced()) throw e; // else a save committed while we read: read the new set
            }
        }
    }

    private static Loaded load(Path dir, FileSet files) throws IOException {
        Path configFile = existing(dir, files, CONFIG_FILE);
        Map<String, Object> config = parseConfig(configFile);
        Module model = buildModel(configFile, config);
        Path weights = existing(dir, files, WEIGHTS_FILE);
        try {
            model.loadStateDict(Safetensors.read(weights).tensors());
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(weights, "weights do not match the architecture in " + CONFIG_FILE + ": " + e.getMessage(), e);
        }
        files.verify(List.of(CONFIG_FILE, WEIGHTS_FILE));
        model.eval();
        return new Loaded(model, config, ModelCard.read(configFile, config, Files.isRegularFile(files.path(TOKENIZER_FILE))));
    }

    /** The tokenizer saved beside a text model; fails naming the directory when there is none. */
    public static Tokenizer tokenizer(Path dir) throws IOException {
        FileSet files = open(dir);
        Path file = existing(dir, files, TOKENIZER_FILE);
        files.verify(List.of(TOKENIZER_FILE)); // listed once the directory was signed
        return Tokenizers.load(file);
    }

    /** The card of a model directory's {@code config.json}, without loading weights. */
    public static ModelCard readCard(Path dir) throws IOException {
        FileSet files = open(dir);
        Path file = existing(dir, files, CONFIG_FILE);
        Map<String, Object> config = parseConfig(file);
        files.verify(List.of(CONFIG_FILE));
        return ModelCard.read(file, config, Files.isRegularFile(files.path(TOKENIZER_FILE)));
    }

    /** The validated {@code config.json} of a model directory, without loading weights. */
    public static Map<String, Object> readConfig(Path dir) throws IOException {
        FileSet files = open(dir);
        Map<String, Object> config = parseConfig(existing(dir, files, CONFIG_FILE));
        files.verify(List.of(CONFIG_FILE));
        return config;
    }

    private static Map<String, Object> parseConfig(Path file) throws IOException {
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
     * The saved training state, or empty when the directory holds none (a model saved only for use). With a
     * manifest, the whole set is checked: the state must belong to the weights beside it.
     */
    public static Optional<TrainingState> loadTrainingState(Path dir) throws IOException {
        FileSet files = open(dir);
        Path optimizer = files.path(OPTIMIZER_FILE), state = files.path(TRAINING_STATE_FILE);
        // With a manifest, files it does not list are leftovers of an older save, not this set's state.
        boolean hasOptimizer = files.hasManifest() ? files.lists(OPTIMIZER_FILE) : Files.exists(optimizer);
        boolean hasState = files.hasManifest() ? files.lists(TRAINING_STATE_FILE) : Files.exists(state);
        if (!hasOptimizer && !hasState) return Optional.empty();
        files.verify(files.names());
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

    /** format, format_version, the model config and the card's schema version when given, then {@code fields}. */
    private static Map<String, Object> stamped(Map<String, Object> model, Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", FORMAT);
        out.put("format_version", FORMAT_VERSION);
        if (model != null) {
            out.put("model", model);
            out.put("schema_version", ModelCard.SCHEMA_VERSION);
        }
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

    private static FileSet open(Path dir) throws IOException {
        requireDirectory(dir);
        refuseEncrypted(dir);
        return FileSet.open(dir);
    }

    /** An encrypted directory read as a plain one would fail on its JSON; this says why instead. */
    private static void refuseEncrypted(Path dir) throws IOException {
        if (ModelEncryption.isEncrypted(dir.resolve(CONFIG_FILE))) {
            throw new FileFormatException(dir.resolve(CONFIG_FILE), "is encrypted (gradus encrypt): load the model with its key");
        }
    }

    /** The path to read {@code name} from (see {@link FileSet#path}); fails naming it when it is missing. */
    private static Path existing(Path dir, FileSet files, String name) throws IOException {
        Path file = files.path(name);
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(dir.resolve(name).toString(), null, "missing " + name + " in the model directory");
        return file;
    }

    // ---------------------------------------------------------------- describe

    /**
     * A readable summary for {@code gradus info}: files and sizes, layers with their parameter
     * counts, the stored tensors checked against the architecture, and the other config fields.
     * Reads only the weights' header, not the weights.
     */
    public static String describe(Path dir) throws IOException {
        FileSet files = open(dir);
        Path configFile = existing(dir, files, CONFIG_FILE);
        Map<String, Object> config = parseConfig(configFile);
        Module model = buildModel(configFile, config);
        Safetensors.Header weights = Safetensors.readHeader(existing(dir, files, WEIGHTS_FILE));
        StringBuilder sb = new StringBuilder();
        sb.append("Gradus model ").append(dir.toAbsolutePath().normalize()).append(" (format_version ").append(FORMAT_VERSION).append(")\n\nFiles\n");
        List<String> known = List.of(CONFIG_FILE, WEIGHTS_FILE, OPTIMIZER_FILE, TRAINING_STATE_FILE, TOKENIZER_FILE, MANIFEST_FILE);
        for (String name : known) {
            Path f = name.equals(MANIFEST_FILE) ? dir.resolve(name) : files.path(name);
            if (Files.isRegularFile(f)) sb.append(String.format(Locale.ROOT, "  %-22s %10s\n", name, humanBytes(Files.size(f))));
        }
        // Whatever else is in the directory (an application's vocabulary, a README), hidden temporaries aside.
        try (var others = Files.list(dir)) {
            for (Path f : others.sorted().toList()) {
                String name = f.getFileName().toString();
                if (known.contains(name) || name.startsWith(".")) continue;
                String size = Files.isDirectory(f) ? "(folder)" : humanBytes(Files.size(f));
                String note = files.hasManifest() && !files.lists(name) ? "  not in " + MANIFEST_FILE : "";
                sb.append(String.format(Locale.ROOT, "  %-22s %10s%s\n", Files.isDirectory(f) ? name + "/" : name, size, note));
            }
        }
        try {
            files.verify(files.names());
        } catch (FileFormatException e) { // info is for diagnosing: report and go on
            sb.append("WARNING: ").append(e.getMessage()).append('\n');
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
