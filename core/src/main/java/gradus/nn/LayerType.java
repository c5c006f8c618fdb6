package gradus.nn;

import gradus.config.Config;
import gradus.config.ConfigRecords;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One module type as configs name it ({@code type: Linear}): its typed config record, how a config is read into
 * that record (unknown keys and bad values are errors naming the key and where it sits), how the record becomes a
 * module and how a module's config reads back as the record. A {@link LayerFamily} lists the types of one package.
 *
 * @param name        the {@code type} value in YAML and config.json
 * @param moduleClass the class the factory builds (ONNX export and {@link Layers#typeOf} look types up by it)
 * @param configClass the typed config record
 */
public record LayerType<C extends Record>(String name, Class<? extends Module> moduleClass, Class<C> configClass,
                                          Function<Config, C> reader, Function<C, Map<String, Object>> writer,
                                          Function<C, ? extends Module> factory) {

    /** A type whose record binds by {@link ConfigRecords}: keys are its components in snake_case. */
    public static <C extends Record, M extends Module> LayerType<C> of(String name, Class<M> moduleClass, Class<C> configClass,
                                                                      Function<C, M> factory) {
        return new LayerType<>(name, moduleClass, configClass, c -> ConfigRecords.read(c, configClass, "type"),
                ConfigRecords::write, factory);
    }

    /** The record of config {@code c}; the error names the key and {@code c}'s location. */
    public C read(Config c) {
        return reader.apply(c);
    }

    /** The module for a config record (sizes checked against the caller's {@link ParameterBudget}). */
    public Module create(C config) {
        return factory.apply(config);
    }

    /** The config mapping of a record, "type" first: what {@link Module#config()} returns for such a module. */
    public Map<String, Object> write(C config) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", name);
        writer.apply(config).forEach((k, v) -> { if (!k.equals("type")) out.put(k, v); });
        return out;
    }

    /** The config record of a module of this type. */
    public C configOf(Module m) {
        if (!moduleClass.isInstance(m)) throw new IllegalArgumentException(m.getClass().getSimpleName() + " is not a " + name);
        return read(new Config(name, m.config()));
    }
}
