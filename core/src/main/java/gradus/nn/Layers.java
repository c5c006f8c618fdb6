package gradus.nn;

import gradus.config.Config;
import gradus.config.ConfigException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Builds modules from their {@link Module#config()} (as stored in a model's config.json or
 * written in a training YAML). Every layer type registers here with the keys it accepts.
 */
public final class Layers {
    private static final Map<String, Function<Config, Module>> FACTORIES = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private static final String[] RECURRENT_KEYS =
            {"type", "input_size", "hidden_size", "num_layers", "bidirectional", "batch_first", "dropout", "bias"};

    static {
        register("Sequential", c -> {
            c.allowOnly("type", "layers");
            List<Module> layers = new ArrayList<>();
            for (Config l : c.getSections("layers")) layers.add(fromConfig(l));
            return new Sequential(layers);
        });
        register("Linear", c -> {
            c.allowOnly("type", "in", "out", "bias");
            return new Linear(c.getInt("in"), c.getInt("out"), c.getBoolean("bias", true));
        });
        register("ReLU", c -> simple(c, new ReLU()));
        register("GELU", c -> simple(c, new GELU()));
        register("SiLU", c -> simple(c, new SiLU()));
        register("Sigmoid", c -> simple(c, new Sigmoid()));
        register("Tanh", c -> simple(c, new Tanh()));
        register("LeakyReLU", c -> {
            c.allowOnly("type", "slope");
            return new LeakyReLU(c.getFloat("slope", 0.01f));
        });
        register("Softmax", c -> {
            c.allowOnly("type", "dim");
            return new Softmax(c.getInt("dim", -1));
        });
        register("Conv2d", c -> {
            c.allowOnly("type", "in", "out", "kernel", "stride", "padding", "dilation", "bias", "activation");
            Conv2d conv = new Conv2d(c.getInt("in"), c.getInt("out"), required(c, "kernel"),
                    c.getIntArray("stride", new int[]{1}), c.getIntArray("padding", new int[]{0}),
                    c.getIntArray("dilation", new int[]{1}), c.getBoolean("bias", true));
            try { // Conv2d names the values it accepts
                return conv.activation(c.getString("activation", "linear"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("key 'activation' in " + c.where() + ": " + e.getMessage());
            }
        });
        register("MaxPool2d", c -> {
            c.allowOnly("type", "kernel", "stride", "padding");
            return new MaxPool2d(required(c, "kernel"), c.getIntArray("stride", null), c.getIntArray("padding", new int[]{0}));
        });
        register("AvgPool2d", c -> {
            c.allowOnly("type", "kernel", "stride", "padding");
            return new AvgPool2d(required(c, "kernel"), c.getIntArray("stride", null), c.getIntArray("padding", new int[]{0}));
        });
        register("Flatten", c -> {
            c.allowOnly("type", "start_dim", "end_dim");
            return new Flatten(c.getInt("start_dim", 1), c.getInt("end_dim", -1));
        });
        register("Dropout", c -> {
            c.allowOnly("type", "p");
            return new Dropout(c.getFloat("p", 0.5f));
        });
        register("BatchNorm1d", c -> {
            c.allowOnly("type", "features", "eps", "momentum");
            return new BatchNorm1d(c.getInt("features"), c.getFloat("eps", 1e-5f), c.getFloat("momentum", 0.1f));
        });
        register("BatchNorm2d", c -> {
            c.allowOnly("type", "features", "eps", "momentum");
            return new BatchNorm2d(c.getInt("features"), c.getFloat("eps", 1e-5f), c.getFloat("momentum", 0.1f));
        });
        register("LayerNorm", c -> {
            c.allowOnly("type", "shape", "eps");
            return new LayerNorm(required(c, "shape"), c.getFloat("eps", 1e-5f));
        });
        register("Embedding", c -> {
            c.allowOnly("type", "num_embeddings", "dim", "padding_idx");
            return new Embedding(c.getInt("num_embeddings"), c.getInt("dim"), c.has("padding_idx") ? c.getInt("padding_idx") : null);
        });
        register("LSTM", c -> {
            c.allowOnly(RECURRENT_KEYS);
            return new LSTM(c.getInt("input_size"), c.getInt("hidden_size"), c.getInt("num_layers", 1), c.getBoolean("bidirectional", false),
                    c.getBoolean("batch_first", true), c.getFloat("dropout", 0f), c.getBoolean("bias", true));
        });
        register("GRU", c -> {
            c.allowOnly(RECURRENT_KEYS);
            return new GRU(c.getInt("input_size"), c.getInt("hidden_size"), c.getInt("num_layers", 1), c.getBoolean("bidirectional", false),
                    c.getBoolean("batch_first", true), c.getFloat("dropout", 0f), c.getBoolean("bias", true));
        });
        register("MultiHeadAttention", c -> {
            c.allowOnly("type", "embed_dim", "num_heads", "dropout", "bias", "rotary");
            return new MultiHeadAttention(c.getInt("embed_dim"), c.getInt("num_heads"), c.getFloat("dropout", 0f),
                    c.getBoolean("bias", true), c.getBoolean("rotary", false));
        });
        register("SinusoidalPositionalEncoding", c -> {
            c.allowOnly("type", "max_len", "dim");
            return new SinusoidalPositionalEncoding(c.getInt("max_len"), c.getInt("dim"));
        });
        register("LearnedPositionalEmbedding", c -> {
            c.allowOnly("type", "max_len", "dim");
            return new LearnedPositionalEmbedding(c.getInt("max_len"), c.getInt("dim"));
        });
        register("RotaryEmbedding", c -> {
            c.allowOnly("type", "dim", "base");
            return new RotaryEmbedding(c.getInt("dim"), c.getFloat("base", 10000f));
        });
        register("TransformerEncoderBlock", c -> {
            c.allowOnly("type", "width", "heads", "hidden", "dropout", "norm_first", "eps", "rotary");
            int width = c.getInt("width");
            return new TransformerEncoderBlock(width, c.getInt("heads"), c.getInt("hidden", 4 * width), c.getFloat("dropout", 0f),
                    c.getBoolean("norm_first", true), c.getFloat("eps", 1e-5f), c.getBoolean("rotary", false));
        });
        register("TransformerDecoderBlock", c -> {
            c.allowOnly("type", "width", "heads", "hidden", "dropout", "norm_first", "eps", "cross_attention", "rotary");
            int width = c.getInt("width");
            return new TransformerDecoderBlock(width, c.getInt("heads"), c.getInt("hidden", 4 * width), c.getFloat("dropout", 0f),
                    c.getBoolean("norm_first", true), c.getFloat("eps", 1e-5f), c.getBoolean("cross_attention", false),
                    c.getBoolean("rotary", false));
        });
        register("Gpt", gradus.models.Gpt::fromConfig);
        register("Bert", gradus.models.Bert::fromConfig);
        register("BertClassifier", gradus.models.BertClassifier::fromConfig);
        register("LstmClassifier", gradus.models.LstmClassifier::fromConfig);
        register("TransformerClassifier", gradus.models.TransformerClassifier::fromConfig);
    }

    private Layers() {}

    private static int[] required(Config c, String key) {
        if (!c.has(key)) throw new ConfigException("missing key '" + key + "' in " + c.where());
        return c.getIntArray(key, null);
    }

    /** A spatial size for a config: one number when both directions agree, else [h, w]. */
    static Object size(int[] hw) {
        return hw[0] == hw[1] ? (Object) hw[0] : List.of(hw[0], hw[1]);
    }

    private static Module simple(Config c, Module m) {
        c.allowOnly("type");
        return m;
    }

    /** Adds a layer type; {@code factory} should call {@link Config#allowOnly} with its keys. */
    public static void register(String type, Function<Config, Module> factory) {
        FACTORIES.put(type, factory);
    }

    /** The registered type names, sorted. */
    public static Set<String> types() {
        return Collections.unmodifiableSet(new TreeSet<>(FACTORIES.keySet()));
    }

    public static Module fromConfig(Map<String, ?> config) {
        return fromConfig(new Config("model", config));
    }

    /**
     * Builds within the {@link ParameterBudget} (the caller's, else the default limit for the whole model), so sizes are
     * checked before anything is allocated; a layer's own rejection becomes a ConfigException naming where it is.
     */
    public static Module fromConfig(Config c) {
        return ParameterBudget.withinDefault(() -> build(c));
    }

    private static Module build(Config c) {
        String type = c.getString("type");
        Function<Config, Module> f = FACTORIES.get(type);
        if (f == null) {
            throw new ConfigException("unknown layer type '" + type + "' in " + c.where() + "; known: " + String.join(", ", FACTORIES.keySet()));
        }
        try {
            return f.apply(c);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException(c.where() + " (" + type + "): " + e.getMessage());
        }
    }
}
