package gradus.quant;

import gradus.config.Config;
import gradus.files.AtomicFiles;
import gradus.files.FileFormatException;
import gradus.io.ModelCard;
import gradus.io.ModelDirectory;
import gradus.io.Safetensors;
import gradus.io.Safetensors.Raw;
import gradus.kernels.Int4Weight;
import gradus.kernels.WeightProduct;
import gradus.nn.Layers;
import gradus.nn.Module;
import gradus.nn.Sequential;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantized model directories: {@code config.json} (the model section names the quantized module types),
 * {@code model.safetensors} holding I8/U8/F16/BF16 weights with their F32/F16 scales (names in
 * {@link StoredWeights}) and F32 for everything else, and {@code quantization.json}: the scheme and, per
 * stored weight, its dtype, shape, bytes and bits per weight.
 */
public final class QuantizedModels {
    public static final String QUANTIZATION_FILE = "quantization.json";
    public static final String FORMAT = "gradus-quantization";
    public static final int FORMAT_VERSION = 1;

    private static final com.fasterxml.jackson.databind.ObjectWriter JSON =
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter();

    private QuantizedModels() {}

    /** One stored weight, for {@code quantization.json} and {@code gradus info}. */
    public record WeightInfo(String name, String scheme, String dtype, int[] shape, long parameters, long bytes) {
        public double bitsPerWeight() {
            return 8.0 * bytes / parameters;
        }
    }

    /** True when {@code dir} holds a quantized model. */
    public static boolean isQuantized(Path dir) {
        return Files.isRegularFile(dir.resolve(QUANTIZATION_FILE));
    }

    /** Writes a model from {@link Quantization}; {@code extra} are top-level keys of config.json (pooling, …). */
    public static void save(Path dir, Module model, Scheme scheme, int group, Map<String, Object> extra) throws IOException {
        Map<String, Raw> tensors = new LinkedHashMap<>();
        collect(model, "", tensors);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("format", ModelDirectory.FORMAT);
        config.put("format_version", ModelDirectory.FORMAT_VERSION);
        config.put("model", model.config());
        extra.forEach((k, v) -> { if (!config.containsKey(k)) config.put(k, v); });
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("format", FORMAT);
        q.put("format_version", FORMAT_VERSION);
        q.put("scheme", scheme.id());
        if (scheme == Scheme.INT4) q.put("group_size", group);
        q.put("activations", scheme == Scheme.INT8 ? "int8, one symmetric scale per row, computed at run time" : "float32");
        Map<String, Object> layers = new LinkedHashMap<>();
        for (WeightInfo w : weights(model)) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("scheme", w.scheme());
            l.put("dtype", w.dtype());
            l.put("shape", w.shape());
            l.put("bytes", w.bytes());
            l.put("bits_per_weight", Math.round(w.bitsPerWeight() * 1000) / 1000.0);
            layers.put(w.name(), l);
        }
        q.put("layers", layers);
        Files.createDirectories(dir);
        Safetensors.writeRaw(dir.resolve(ModelDirectory.WEIGHTS_FILE), tensors, Map.of("format", "pt", "quantization", scheme.id()));
        writeText(dir.resolve(QUANTIZATION_FILE), JSON.writeValueAsString(q));
        writeText(dir.resolve(ModelDirectory.CONFIG_FILE), JSON.writeValueAsString(config));
    }

    private static void writeText(Path file, String text) throws IOException {
        AtomicFiles.write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void collect(Module m, String prefix, Map<String, Raw> out) {
        switch (m) {
            case QuantizedLinear l -> out.putAll(l.tensors(prefix.substring(0, prefix.length() - 1)));
            case QuantizedEmbedding e -> out.putAll(e.tensors(prefix.substring(0, prefix.length() - 1)));
            case QuantizedBert b -> out.putAll(b.tensors(prefix));
            case Sequential s -> {
                List<Module> layers = s.layers();
                for (int i = 0; i < layers.size(); i++) collect(layers.get(i), prefix + i + ".", out);
            }
            default -> m.stateDict().forEach((k, v) -> out.put(prefix + k, Raw.of(v.toArray(), v.shape())));
        }
    }

    /** Every compressed weight of {@code model} with its storage. */
    public static List<WeightInfo> weights(Module model) {
        Map<String, WeightProduct> found = new LinkedHashMap<>();
        findWeights(model, "", found);
        List<WeightInfo> out = new ArrayList<>();
        found.forEach((name, w) -> {
            Scheme s = StoredWeights.scheme(w);
            out.add(new WeightInfo(name, s.id() + (w instanceof Int4Weight q ? "/g" + q.group() : ""), StoredWeights.dtypeOf(s).name(),
                    new int[]{w.outFeatures(), w.inFeatures()}, (long) w.outFeatures() * w.inFeatures(), StoredWeights.bytes(w)));
        });
        return out;
    }

    private static void findWeights(Module m, String prefix, Map<String, WeightProduct> out) {
        switch (m) {
            case QuantizedLinear l -> out.put(prefix.isEmpty() ? "weight" : prefix.substring(0, prefix.length() - 1), l.weight());
            case QuantizedEmbedding e -> out.put(prefix.isEmpty() ? "weight" : prefix.substring(0, prefix.length() - 1), e.table());
            case QuantizedBert b -> b.weights().forEach((k, v) -> out.put(prefix + k, v));
            case Sequential s -> {
                List<Module> layers = s.layers();
                for (int i = 0; i < layers.size(); i++) findWeights(layers.get(i), prefix + i + ".", out);
            }
            default -> {}
        }
    }

    /**
     * A table of {@code quantization.json}: per stored weight its scheme, dtype, shape, size and bits per weight,
     * then the totals and the size of model.safetensors (float tensors such as biases and norms included).
     */
    public static String describe(Path dir) throws IOException {
        Path file = dir.resolve(QUANTIZATION_FILE);
        com.fasterxml.jackson.databind.JsonNode q;
        try {
            q = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new FileFormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (q == null || !FORMAT.equals(q.path("format").asText()) || !q.path("layers").isObject()) {
            throw new FileFormatException(file, "expected format '" + FORMAT + "' with a 'layers' object");
        }
        StringBuilder sb = new StringBuilder();
        sb.append("quantized model: scheme ").append(q.path("scheme").asText());
        if (q.has("group_size")) sb.append(", group size ").append(q.path("group_size").asInt());
        sb.append("; activations ").append(q.path("activations").asText()).append('\n');
        sb.append(String.format("%-36s %-8s %-5s %-12s %12s %10s%n", "weight", "scheme", "dtype", "shape", "bytes", "bits/weight"));
        long bytes = 0, params = 0;
        for (var it = q.path("layers").properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            var l = e.getValue();
            long b = l.path("bytes").asLong(), n = 1;
            for (var d : l.path("shape")) n *= d.asLong();
            bytes += b;
            params += n;
            sb.append(String.format("%-36s %-8s %-5s %-12s %12d %10.3f%n", e.getKey(), l.path("scheme").asText(), l.path("dtype").asText(),
                    l.path("shape").toString(), b, l.path("bits_per_weight").asDouble()));
        }
        sb.append(String.format("%d compressed weights: %d values in %d bytes, %.3f bits per weight; model.safetensors %d bytes%n",
                q.path("layers").size(), params, bytes, params == 0 ? 0 : 8.0 * bytes / params, Files.size(dir.resolve(ModelDirectory.WEIGHTS_FILE))));
        return sb.toString();
    }

    /** The model of a directory written by {@link #save}, in eval mode; errors name the file, the key and both shapes. */
    public static ModelDirectory.Loaded load(Path dir) throws IOException {
        Path configFile = dir.resolve(ModelDirectory.CONFIG_FILE), weightsFile = dir.resolve(ModelDirectory.WEIGHTS_FILE);
        if (!isQuantized(dir)) throw new FileFormatException(dir.resolve(QUANTIZATION_FILE), "missing: " + dir + " does not hold a quantized model");
        Map<String, Object> config = ModelDirectory.readConfig(dir);
        if (!(config.get("model") instanceof Map<?, ?> section)) throw new FileFormatException(configFile, "needs a 'model' object");
        Map<String, Raw> tensors = new LinkedHashMap<>(Safetensors.readRaw(weightsFile).tensors());
        Module model;
        try {
            @SuppressWarnings("unchecked") Map<String, Object> s = (Map<String, Object>) section;
            model = build(new Config(configFile + ": model", s), "", tensors, weightsFile);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(configFile, e.getMessage(), e);
        }
        if (!tensors.isEmpty()) throw new FileFormatException(weightsFile, "unexpected tensors " + tensors.keySet() + " (not used by the model in config.json)");
        model.eval();
        return new ModelDirectory.Loaded(model, config,
                ModelCard.read(configFile, config, Files.isRegularFile(dir.resolve(ModelDirectory.TOKENIZER_FILE))));
    }

    private static Module build(Config c, String prefix, Map<String, Raw> tensors, Path file) throws IOException {
        String type = c.getString("type", "");
        String name = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
        switch (type) {
            case "Sequential" -> {
                c.allowOnly("type", "layers");
                List<Module> layers = new ArrayList<>();
                List<Config> sections = c.getSections("layers");
                for (int i = 0; i < sections.size(); i++) layers.add(build(sections.get(i), prefix + i + ".", tensors, file));
                return new Sequential(layers);
            }
            case "QuantizedLinear" -> {
                c.allowOnly("type", "in", "out", "bias", "scheme", "group");
                int in = c.getInt("in"), out = c.getInt("out");
                WeightProduct w = StoredWeights.fromTensors(Scheme.parse(c.getString("scheme", "")), name, tensors, out, in, c.getInt("group", 0), file);
                return new QuantizedLinear(w, c.getBoolean("bias", true) ? StoredWeights.floats(tensors, name + ".bias", file, out) : null);
            }
            case "QuantizedEmbedding" -> {
                c.allowOnly("type", "num_embeddings", "dim", "scheme");
                return new QuantizedEmbedding(StoredWeights.fromTensors(Scheme.parse(c.getString("scheme", "")), name, tensors,
                        c.getInt("num_embeddings"), c.getInt("dim"), 0, file));
            }
            case "QuantizedBert" -> {
                return QuantizedBert.load(c, prefix, tensors, file);
            }
            default -> {
                Module m = Layers.fromConfig(c);
                Map<String, Tensor> state = new LinkedHashMap<>();
                for (var e : m.stateDict().entrySet()) {
                    int[] shape = e.getValue().shape();
                    state.put(e.getKey(), Tensor.of(StoredWeights.floats(tensors, prefix + e.getKey(), file, shape), shape));
                }
                m.loadStateDict(state);
                return m;
            }
        }
    }
}
