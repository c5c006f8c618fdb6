package gradus.optim;

import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Builds optimizers from mappings such as {@code {type: adam, lr: 0.001, betas: [0.9, 0.999], weight_decay: 0}},
 * with PyTorch's names and defaults. Unknown types and keys are rejected with the allowed ones listed.
 */
public final class Optimizers {
    private static final Map<String, BiFunction<Config, List<Tensor>, Optimizer>> FACTORIES =
            new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        register("sgd", (c, params) -> {
            c.allowOnly("type", "lr", "momentum", "dampening", "nesterov", "weight_decay");
            return new SGD(params, c.getDouble("lr"), c.getDouble("momentum", 0), c.getDouble("dampening", 0),
                    c.getBoolean("nesterov", false), c.getDouble("weight_decay", 0));
        });
        register("adam", (c, params) -> {
            double[] betas = adamKeys(c);
            return new Adam(params, c.getDouble("lr", 1e-3), betas[0], betas[1], c.getDouble("eps", 1e-8),
                    c.getDouble("weight_decay", 0), c.getBoolean("amsgrad", false));
        });
        register("adamw", (c, params) -> {
            double[] betas = adamKeys(c);
            return new AdamW(params, c.getDouble("lr", 1e-3), betas[0], betas[1], c.getDouble("eps", 1e-8),
                    c.getDouble("weight_decay", 0.01), c.getBoolean("amsgrad", false));
        });
        register("rmsprop", (c, params) -> {
            c.allowOnly("type", "lr", "alpha", "eps", "weight_decay", "momentum", "centered");
            return new RMSprop(params, c.getDouble("lr", 1e-2), c.getDouble("alpha", 0.99), c.getDouble("eps", 1e-8),
                    c.getDouble("weight_decay", 0), c.getDouble("momentum", 0), c.getBoolean("centered", false));
        });
    }

    private Optimizers() {}

    /** Checks the keys Adam and AdamW share and returns the betas. */
    private static double[] adamKeys(Config c) {
        c.allowOnly("type", "lr", "betas", "eps", "weight_decay", "amsgrad");
        if (!c.has("betas")) return new double[]{0.9, 0.999};
        Object v = c.asMap().get("betas");
        if (v instanceof List<?> list && list.size() == 2
                && list.get(0) instanceof Number b1 && list.get(1) instanceof Number b2) {
            return new double[]{b1.doubleValue(), b2.doubleValue()};
        }
        throw new ConfigException("key 'betas' in " + c.where() + " must be a list of two numbers like [0.9, 0.999], got " + v);
    }

    /** Adds an optimizer type; {@code factory} should call {@link Config#allowOnly} with its keys. */
    public static void register(String type, BiFunction<Config, List<Tensor>, Optimizer> factory) {
        FACTORIES.put(type, factory);
    }

    public static Optimizer fromConfig(Map<String, ?> config, List<Tensor> params) {
        return fromConfig(new Config("optimizer", config), params);
    }

    /** The optimizer {@code c} describes, over {@code params}; errors name the key and where it sits. */
    public static Optimizer fromConfig(Config c, List<Tensor> params) {
        String type = c.getString("type");
        var factory = FACTORIES.get(type);
        if (factory == null) {
            throw new ConfigException("unknown optimizer type '" + type + "' in " + c.where() + "; known: "
                    + String.join(", ", FACTORIES.keySet()));
        }
        try {
            return factory.apply(c, params);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage() + " in " + c.where());
        }
    }
}
