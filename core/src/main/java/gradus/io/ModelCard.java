package gradus.io;

import gradus.files.FileFormatException;
import gradus.data.Scaler;
import gradus.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an application needs to know about a saved model besides its architecture and weights, as config.json
 * records it next to {@code format} and {@code model}: the task, the class names, what one input is (shape and
 * dtype, the tokenizer and its lengths), the preprocessing, the loss and metrics it was trained with, where it came
 * from, and the card's schema version. Keys the card does not type (an application's own, the recipe) are kept in
 * {@link #other} and written back unchanged.
 *
 * @param task        classification, regression, language_model, or null when the card does not say
 * @param classNames  one name per class (classification), or null
 * @param inputShape  one example's shape, as recorded or inferred ({@link #read}); null when neither says
 * @param inputDtype  {@link #FLOAT32} for features, {@link #INT32} for token ids
 * @param tokenizer   the tokenizer's file beside config.json, or null
 * @param maxLength   a text classifier's row length (ids past it are cut, shorter rows padded), or null
 * @param context     a language model's window, or null
 * @param scaler      {@code preprocessing.scaler}: applied to raw inputs before the network, or null
 * @param loss        the training loss's name (cross_entropy, bce, mse, …), or null
 * @param metrics     the metrics reported in training, or an empty list
 * @param training    where the weights came from, or null
 */
public record ModelCard(int schemaVersion, String task, List<String> classNames, int[] inputShape, String inputDtype,
                        String tokenizer, Integer maxLength, Integer context, Scaler scaler, String loss,
                        List<String> metrics, Provenance training, Map<String, Object> other) {
    /** The schema this Gradus writes; directories without {@code schema_version} are read as version 0. */
    public static final int SCHEMA_VERSION = 1;
    public static final String FLOAT32 = "float32", INT32 = "int32";
    public static final String CLASSIFICATION = "classification", REGRESSION = "regression", LANGUAGE_MODEL = "language_model";

    /** Keys the card reads and writes itself (format, format_version and model are the directory's). */
    static final List<String> KEYS = List.of("schema_version", "task", "class_names", "input_shape", "input_dtype", "tokenizer",
            "max_length", "context", "preprocessing", "loss", "metrics", "provenance");

    /**
     * The recipe, data set, length of training, seed, source commit and date, as far as known.
     *
     * @param epochs epochs trained (or null when training ran {@code steps})
     */
    public record Provenance(String recipe, String dataset, Integer epochs, Integer steps, Long seed, String commit, String date) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (recipe != null) m.put("recipe", recipe);
            if (dataset != null) m.put("dataset", dataset);
            if (epochs != null) m.put("epochs", epochs);
            if (steps != null) m.put("steps", steps);
            if (seed != null) m.put("seed", seed);
            if (commit != null) m.put("commit", commit);
            if (date != null) m.put("date", date);
            return m;
        }
    }

    public ModelCard {
        classNames = classNames == null ? null : List.copyOf(classNames);
        inputShape = inputShape == null ? null : inputShape.clone();
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
        other = other == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(other));
    }

    @Override
    public int[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    public boolean isClassification() {
        return CLASSIFICATION.equals(task);
    }

    public boolean isLanguageModel() {
        return LANGUAGE_MODEL.equals(task);
    }

    /** Whether the model's outputs are probabilities already (a sigmoid inside, trained with bce) rather than logits. */
    public boolean outputsProbabilities() {
        return "bce".equals(loss);
    }

    /** The name of class {@code index}: its class name, else the index itself. */
    public String className(int index) {
        return classNames != null && index >= 0 && index < classNames.size() ? classNames.get(index) : Integer.toString(index);
    }

    /** Raw inputs [N, ...input_shape] as the network takes them: the recorded scaler applied, when there is one. */
    public Tensor preprocess(Tensor batch) {
        return scaler == null ? batch : scaler.transform(batch);
    }

    /** The card with another input shape (one the caller inferred). */
    public ModelCard withInputShape(int[] shape) {
        return new ModelCard(schemaVersion, task, classNames, shape, inputDtype, tokenizer, maxLength, context, scaler, loss,
                metrics, training, other);
    }

    // ---------------------------------------------------------------- reading

    /**
     * The card of a parsed config.json ({@code file} names it in errors). {@code hasTokenizer}: whether
     * tokenizer.json lies beside it (directories saved before the card do not name it). A missing input shape is
     * inferred where the card can tell: a text model's row length, or the first layer's input features.
     */
    public static ModelCard read(Path file, Map<String, Object> config, boolean hasTokenizer) throws FileFormatException {
        Map<String, Object> c = migrate(file, config);
        Fields f = new Fields(file, c);
        String tokenizer = f.string("tokenizer");
        if (tokenizer == null && hasTokenizer) tokenizer = ModelDirectory.TOKENIZER_FILE;
        String task = f.string("task");
        Integer maxLength = f.positive("max_length"), context = f.positive("context");
        int[] shape = f.shape("input_shape");
        String dtype = f.string("input_dtype");
        if (dtype == null) dtype = tokenizer != null ? INT32 : FLOAT32;
        if (!dtype.equals(FLOAT32) && !dtype.equals(INT32)) throw f.error("input_dtype", "must be " + FLOAT32 + " or " + INT32 + ", got '" + dtype + "'");
        if (shape == null) shape = inferShape(task, tokenizer, maxLength, context, c.get("model"));
        Scaler scaler = scaler(f, c);
        List<String> classNames = f.strings("class_names");
        Map<String, Object> other = new LinkedHashMap<>(c);
        other.keySet().removeAll(KEYS);
        other.keySet().removeAll(List.of("format", "format_version", "model"));
        return new ModelCard(SCHEMA_VERSION, task, classNames, shape, dtype, tokenizer, maxLength, context, scaler,
                lossName(f, c.get("loss")), metrics(f, c), provenance(f, c), other);
    }

    /**
     * Brings an older config.json to {@link #SCHEMA_VERSION}, in this one place. Version 0 (no schema_version, every
     * directory saved before the card) has the same keys; its training metrics and provenance are read from the
     * {@code recipe} it recorded ({@link #provenance}). A newer version is refused.
     */
    static Map<String, Object> migrate(Path file, Map<String, Object> config) throws FileFormatException {
        Object v = config.getOrDefault("schema_version", 0);
        if (!(v instanceof Integer version) || version < 0) {
            throw new FileFormatException(file, "'schema_version' must be a non-negative integer, got " + v);
        }
        if (version > SCHEMA_VERSION) {
            throw new FileFormatException(file, "'schema_version' is " + version + "; this Gradus reads model cards up to version "
                    + SCHEMA_VERSION + " (the model was saved by a newer Gradus)");
        }
        return config; // 0 → 1: nothing to rename
    }

    /** The card's fields as config.json keys, in a fixed order (equal cards give equal bytes). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", SCHEMA_VERSION);
        if (task != null) m.put("task", task);
        if (classNames != null) m.put("class_names", classNames);
        if (inputShape != null) m.put("input_shape", Arrays.stream(inputShape).boxed().toList());
        m.put("input_dtype", inputDtype);
        if (tokenizer != null) m.put("tokenizer", tokenizer);
        if (maxLength != null) m.put("max_length", maxLength);
        if (context != null) m.put("context", context);
        if (scaler != null) m.put("preprocessing", Map.of("scaler", scalerJson(scaler)));
        if (loss != null) m.put("loss", loss);
        if (!metrics.isEmpty()) m.put("metrics", metrics);
        if (training != null) m.put("provenance", training.toJson());
        other.forEach(m::putIfAbsent);
        return m;
    }

    /** A scaler's state as plain JSON values; keys sorted, so equal scalers give equal bytes in every run. */
    public static Map<String, Object> scalerJson(Scaler scaler) {
        Map<String, Object> out = new TreeMap<>();
        scaler.state().forEach((k, v) -> {
            if (v instanceof Tensor t) {
                List<Float> values = new ArrayList<>(t.numel());
                for (float x : t.toArray()) values.add(x);
                out.put(k, values);
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    private static int[] inferShape(String task, String tokenizer, Integer maxLength, Integer context, Object model) {
        if (tokenizer != null) {
            Integer length = LANGUAGE_MODEL.equals(task) ? context : maxLength;
            return length == null ? null : new int[]{length};
        }
        // A feature model whose first layer (past shape-keeping ones) is a Linear takes rows of its input features.
        Object layer = model;
        while (layer instanceof Map<?, ?> m && "Sequential".equals(m.get("type")) && m.get("layers") instanceof List<?> l && !l.isEmpty()) {
            int i = 0;
            while (i < l.size() - 1 && l.get(i) instanceof Map<?, ?> first && List.of("Flatten", "Dropout").contains(first.get("type"))) i++;
            layer = l.get(i);
        }
        if (layer instanceof Map<?, ?> m && "Linear".equals(m.get("type")) && m.get("in") instanceof Integer in && in > 0) {
            return new int[]{in};
        }
        return null;
    }

    private static Scaler scaler(Fields f, Map<String, Object> c) throws FileFormatException {
        if (!(c.get("preprocessing") instanceof Map<?, ?> p) || !(p.get("scaler") instanceof Map<?, ?> json)) return null;
        Map<String, Object> state = new LinkedHashMap<>();
        for (var e : json.entrySet()) {
            if (e.getValue() instanceof List<?> list) {
                float[] values = new float[list.size()];
                for (int i = 0; i < values.length; i++) {
                    if (!(list.get(i) instanceof Number n)) throw f.error("preprocessing.scaler." + e.getKey() + "[" + i + "]", "must be a number, got " + list.get(i));
                    values[i] = n.floatValue();
                }
                state.put(String.valueOf(e.getKey()), Tensor.of(values));
            } else {
                state.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        try {
            return Scaler.fromState(state);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw f.error("preprocessing.scaler", e.getMessage());
        }
    }

    /** The loss as config.json names it: a string, or a mapping with its {@code type}. */
    private static String lossName(Fields f, Object loss) throws FileFormatException {
        if (loss == null) return null;
        if (loss instanceof String s) return s;
        if (loss instanceof Map<?, ?> m && m.get("type") instanceof String s) return s;
        throw f.error("loss", "must be a loss name or a mapping with its type, got " + loss);
    }

    private static List<String> metrics(Fields f, Map<String, Object> c) throws FileFormatException {
        if (c.containsKey("metrics")) return f.strings("metrics");
        if (section(c, "recipe", "training").get("metrics") instanceof List<?> l) return l.stream().map(String::valueOf).toList();
        if (c.get("training") instanceof Map<?, ?> t && t.get("metrics") instanceof List<?> l) return l.stream().map(String::valueOf).toList();
        return List.of();
    }

    /** {@code provenance}, or (before the card) what the recorded recipe says. */
    private static Provenance provenance(Fields f, Map<String, Object> c) throws FileFormatException {
        if (c.get("provenance") instanceof Map<?, ?> p) {
            Fields pf = new Fields(f.file, cast(p), "provenance.");
            return new Provenance(pf.string("recipe"), pf.string("dataset"), pf.positive("epochs"), pf.positive("steps"),
                    pf.integer("seed"), pf.string("commit"), pf.string("date"));
        }
        if (c.containsKey("provenance")) throw f.error("provenance", "must be a mapping, got " + c.get("provenance"));
        if (!(c.get("recipe") instanceof Map<?, ?> recipe)) return null;
        Map<String, Object> data = section(c, "recipe", "data"), training = section(c, "recipe", "training");
        return new Provenance(recipe.get("name") instanceof String s ? s : null, data.get("train") instanceof String s ? s : null,
                training.get("epochs") instanceof Integer e ? e : null, training.get("steps") instanceof Integer s ? s : null,
                recipe.get("seed") instanceof Number n ? n.longValue() : null, null, null);
    }

    private static Map<String, Object> section(Map<String, Object> c, String outer, String inner) {
        return c.get(outer) instanceof Map<?, ?> o && o.get(inner) instanceof Map<?, ?> i ? cast(i) : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** Typed reads of config.json keys; a wrong type fails naming the key and the file. */
    private record Fields(Path file, Map<String, Object> c, String prefix) {
        Fields(Path file, Map<String, Object> c) {
            this(file, c, "");
        }

        FileFormatException error(String key, String message) {
            return new FileFormatException(file, "'" + prefix + key + "' " + message);
        }

        String string(String key) throws FileFormatException {
            Object v = c.get(key);
            if (v == null || v instanceof String) return (String) v;
            throw error(key, "must be a string, got " + v);
        }

        Long integer(String key) throws FileFormatException {
            Object v = c.get(key);
            if (v == null) return null;
            if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
            throw error(key, "must be an integer, got " + v);
        }

        Integer positive(String key) throws FileFormatException {
            Object v = c.get(key);
            if (v == null) return null;
            if (v instanceof Integer n && n > 0) return n;
            throw error(key, "must be a positive integer, got " + v);
        }

        List<String> strings(String key) throws FileFormatException {
            Object v = c.get(key);
            if (v == null) return null;
            if (!(v instanceof List<?> l)) throw error(key, "must be a list of strings, got " + v);
            for (int i = 0; i < l.size(); i++) {
                if (!(l.get(i) instanceof String)) throw error(key + "[" + i + "]", "must be a string, got " + l.get(i));
            }
            return l.stream().map(String.class::cast).toList();
        }

        int[] shape(String key) throws FileFormatException {
            Object v = c.get(key);
            if (v == null) return null;
            if (v instanceof int[] a) v = Arrays.stream(a).boxed().toList(); // a card built in code
            if (!(v instanceof List<?> l) || l.isEmpty()) throw error(key, "must be a non-empty list of positive integers, got " + v);
            int[] shape = new int[l.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(l.get(i) instanceof Integer n) || n <= 0) throw error(key + "[" + i + "]", "must be a positive integer, got " + l.get(i));
                shape[i] = n;
            }
            return shape;
        }
    }
}
