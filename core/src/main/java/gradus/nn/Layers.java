package gradus.nn;

import gradus.config.Config;
import gradus.config.ConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds modules from their {@link Module#config()} (as stored in a model's config.json or
 * written in a training YAML). Every layer type registers here with the keys it accepts.
 */
public final class Layers {
    private static final Map<String, Function<Config, Module>> FACTORIES = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

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
    }

    private Layers() {}

    private static Module simple(Config c, Module m) {
        c.allowOnly("type");
        return m;
    }

    /** Adds a layer type; {@code factory} should call {@link Config#allowOnly} with its keys. */
    public static void register(String type, Function<Config, Module> factory) {
        FACTORIES.put(type, factory);
    }

    public static Module fromConfig(Map<String, ?> config) {
        return fromConfig(new Config("model", config));
    }

    public static Module fromConfig(Config c) {
        String type = c.getString("type");
        Function<Config, Module> f = FACTORIES.get(type);
        if (f == null) {
            throw new ConfigException("unknown layer type '" + type + "' in " + c.where() + "; known: " + String.join(", ", FACTORIES.keySet()));
        }
        return f.apply(c);
    }
}
