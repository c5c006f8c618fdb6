package gradus.nn;

import gradus.config.Config;
import gradus.config.ConfigException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds modules from their {@link Module#config()} (as stored in a model's config.json or written in a training
 * YAML). The types come from every {@link LayerFamily} on the class path (gradus.nn's layers, gradus.models'
 * architectures, a user's own), so this class names none of them.
 */
public final class Layers {
    private static final Map<String, LayerType<?>> BY_NAME = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private static final Map<Class<? extends Module>, LayerType<?>> BY_CLASS = new LinkedHashMap<>();

    static {
        for (LayerFamily family : ServiceLoader.load(LayerFamily.class, Layers.class.getClassLoader())) {
            for (LayerType<?> t : family.types()) register(t);
        }
    }

    private Layers() {}

    /** A spatial size for a config: one number when both directions agree, else [h, w]. */
    static Object size(int[] hw) {
        return hw[0] == hw[1] ? (Object) hw[0] : List.of(hw[0], hw[1]);
    }

    /** Adds a layer type (a family on the class path registers its types at start-up); a name or class may be taken once. */
    public static synchronized void register(LayerType<?> type) {
        LayerType<?> taken = BY_NAME.get(type.name());
        if (taken != null) {
            throw new IllegalStateException("layer type '" + type.name() + "' of " + type.moduleClass().getName()
                    + " is already registered for " + taken.moduleClass().getName());
        }
        if (BY_CLASS.containsKey(type.moduleClass())) {
            throw new IllegalStateException(type.moduleClass().getName() + " is already registered as '" + BY_CLASS.get(type.moduleClass()).name() + "'");
        }
        BY_NAME.put(type.name(), type);
        BY_CLASS.put(type.moduleClass(), type);
    }

    /** The registered type names, sorted. */
    public static synchronized Set<String> types() {
        return Collections.unmodifiableSet(new TreeSet<>(BY_NAME.keySet()));
    }

    /** The type registered for {@code m}'s class, or null when it has none (a module only built in code). */
    public static synchronized LayerType<?> typeOf(Module m) {
        return BY_CLASS.get(m.getClass());
    }

    /** The type registered for modules of class {@code c}, or null. */
    public static synchronized LayerType<?> typeOf(Class<? extends Module> c) {
        return BY_CLASS.get(c);
    }

    /** {@code m}'s config as its type's typed record ({@link LayerType#configOf}). */
    public static Record configOf(Module m) {
        LayerType<?> t = typeOf(m);
        if (t == null) throw new IllegalArgumentException(m.getClass().getSimpleName() + " is not a registered layer type; known: " + types());
        return t.configOf(m);
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
        LayerType<?> t;
        String known;
        synchronized (Layers.class) {
            t = BY_NAME.get(type);
            known = String.join(", ", BY_NAME.keySet());
        }
        if (t == null) throw new ConfigException("unknown layer type '" + type + "' in " + c.where() + "; known: " + known);
        try {
            return create(t, c);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException(c.where() + " (" + type + "): " + e.getMessage());
        }
    }

    private static <C extends Record> Module create(LayerType<C> t, Config c) {
        return t.create(t.read(c));
    }
}
