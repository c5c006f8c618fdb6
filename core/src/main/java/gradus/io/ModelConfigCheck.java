package gradus.io;

import gradus.files.FileFormatException;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.nn.ParameterBudget;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The checks that keep a hostile or broken config.json from allocating or failing late: the model is built only
 * within the values its weight file holds (read from the safetensors header, not the data), and the application
 * fields (input_shape, preprocessing) have the types and sizes their readers rely on.
 */
final class ModelConfigCheck {
    /** The largest example input_shape may describe: one Java array. */
    private static final long MAX_EXAMPLE = Integer.MAX_VALUE - 8;

    private ModelConfigCheck() {}

    /** Values a config may declare beyond twice the stored ones: a near miss still builds, and fails naming the mismatched tensors. */
    private static final long SLACK = 1 << 20;

    /**
     * Builds the architecture of {@code config.model} within about the values {@code weights} stores (twice, plus
     * {@link #SLACK}), so sizes are checked against the weight file before anything is allocated.
     */
    @SuppressWarnings("unchecked")
    static Module build(Path configFile, Map<String, Object> config, Path weights) throws IOException {
        if (!Files.isRegularFile(weights)) return build(configFile, config, ParameterBudget::withinDefault); // its absence is reported next
        long stored = 0;
        for (var t : Safetensors.readHeader(weights).tensors()) stored += t.numel(); // each ≤ 2^31, far below overflow
        String source = String.format(Locale.ROOT, "%s justifies (twice its %,d stored values, plus %,d)", weights.getFileName(), stored, SLACK);
        long limit = 2 * stored + SLACK;
        return build(configFile, config, build -> ParameterBudget.within(limit, source, build));
    }

    @SuppressWarnings("unchecked")
    private static Module build(Path configFile, Map<String, Object> config, Function<Supplier<Module>, Module> budget) throws FileFormatException {
        try {
            return budget.apply(() -> Layers.fromConfig((Map<String, Object>) config.get("model")));
        } catch (IllegalArgumentException e) { // ConfigException, or a layer rejecting its sizes
            throw new FileFormatException(configFile, "cannot build the model: " + e.getMessage(), e);
        }
    }

    /** input_shape: positive integers describing at most one array; preprocessing: a mapping, whose scaler (Gradus's) applies to such an input. */
    static void applicationFields(Path file, Map<String, Object> config) throws FileFormatException {
        int[] shape = config.containsKey("input_shape") ? inputShape(file, config.get("input_shape")) : null;
        if (!config.containsKey("preprocessing")) return;
        if (!(config.get("preprocessing") instanceof Map<?, ?> preprocessing)) {
            throw new FileFormatException(file, "'preprocessing' must be a mapping, got " + describe(config.get("preprocessing")));
        }
        if (!preprocessing.containsKey("scaler")) return; // other keys are the application's
        if (!(preprocessing.get("scaler") instanceof Map<?, ?> scaler)) {
            throw new FileFormatException(file, "'preprocessing.scaler' must be a mapping, got " + describe(preprocessing.get("scaler")));
        }
        long longest = 0;
        for (var e : scaler.entrySet()) {
            String key = "preprocessing.scaler." + e.getKey();
            if (e.getKey().equals("type")) {
                if (!(e.getValue() instanceof String)) throw new FileFormatException(file, "'" + key + "' must be a string, got " + describe(e.getValue()));
            } else if (e.getValue() instanceof List<?> values) {
                for (int i = 0; i < values.size(); i++) {
                    if (!(values.get(i) instanceof Number n) || !Float.isFinite(n.floatValue())) {
                        throw new FileFormatException(file, "'" + key + "[" + i + "]' must be a finite number, got " + describe(values.get(i)));
                    }
                }
                longest = Math.max(longest, values.size());
            } else {
                throw new FileFormatException(file, "'" + key + "' must be a list of numbers, got " + describe(e.getValue()));
            }
        }
        if (shape == null) throw new FileFormatException(file, "'preprocessing.scaler' needs 'input_shape' to say what one example is");
        long features = 1;
        for (int d : shape) features *= d;
        if (features > longest) {
            throw new FileFormatException(file, "'preprocessing.scaler' lists at most " + longest + " values per feature, but input_shape "
                    + java.util.Arrays.toString(shape) + " has " + features + " features");
        }
        try { // a dry run on one zero example: the scaler's type, lengths and values as the readers will see them
            ModelCard.read(file, config, false).preprocess(Tensor.zeros(shape).unsqueeze(0));
        } catch (IllegalArgumentException | IllegalStateException | FileFormatException e) {
            throw new FileFormatException(file, "'preprocessing.scaler' cannot be applied to input_shape " + java.util.Arrays.toString(shape)
                    + ": " + e.getMessage(), e);
        }
    }

    private static int[] inputShape(Path file, Object value) throws FileFormatException {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw new FileFormatException(file, "'input_shape' must be a non-empty list of positive integers, got " + describe(value));
        }
        int[] shape = new int[list.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = list.get(i);
            if (!(d instanceof Integer n) || n <= 0) {
                throw new FileFormatException(file, "'input_shape[" + i + "]' must be a positive integer, got " + describe(d));
            }
            shape[i] = n;
            numel = Math.min(numel * n, MAX_EXAMPLE + 1);
        }
        if (numel > MAX_EXAMPLE) throw new FileFormatException(file, "'input_shape' " + list + " describes more than " + MAX_EXAMPLE + " values");
        return shape;
    }

    private static String describe(Object value) {
        if (value == null) return "null";
        String text = value instanceof String s ? "'" + s + "'" : value.toString();
        if (text.length() > 80) text = text.substring(0, 79) + "…";
        return text + " (" + (value instanceof Map ? "a mapping" : value instanceof List ? "a list" : value.getClass().getSimpleName()) + ")";
    }
}
