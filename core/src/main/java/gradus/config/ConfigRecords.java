package gradus.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds a {@link Config} to a record and back: one key per component, in snake_case ({@code paddingIdx} →
 * {@code padding_idx}), defaults from {@link Default}. Component types: int, float, double, boolean, String,
 * Integer, int[] (one number or a list), an enum (its name in lower case), {@code List<Config>} (a list of
 * mappings) and a nested record (a mapping bound the same way). Errors are {@link Config}'s: they name the key and where it sits; an unknown key lists the allowed ones.
 */
public final class ConfigRecords {
    private ConfigRecords() {}

    /** The config keys of {@code type}, in component order. */
    public static List<String> keys(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(ConfigRecords::key).toList();
    }

    /** The component of {@code type} that config key {@code key} binds to. */
    public static RecordComponent component(Class<? extends Record> type, String key) {
        for (RecordComponent rc : type.getRecordComponents()) if (key(rc).equals(key)) return rc;
        throw new IllegalArgumentException(type.getSimpleName() + " has no config key '" + key + "'; keys: " + keys(type));
    }

    /** Reads {@code c} into a {@code type}, allowing its keys and {@code alsoAllowed} (such as "type"). */
    public static <R extends Record> R read(Config c, Class<R> type, String... alsoAllowed) {
        RecordComponent[] components = type.getRecordComponents();
        List<String> allowed = new ArrayList<>(Arrays.asList(alsoAllowed));
        allowed.addAll(keys(type));
        c.allowOnly(allowed.toArray(String[]::new));
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(c, components[i]);
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r; // the record's own check, reported by the caller
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("config record " + type.getName() + " cannot be built reflectively", e);
        }
    }

    /** The record as a mapping (component order; null components left out), the form config.json stores. */
    public static Map<String, Object> write(Record r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent rc : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = rc.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (v != null) out.put(key(rc), plain(v));
        }
        return out;
    }

    private static Object plain(Object v) {
        if (v instanceof int[] a) return a.length == 1 ? (Object) a[0] : Arrays.stream(a).boxed().toList();
        if (v instanceof Enum<?> e) return e.name().toLowerCase(Locale.ROOT);
        if (v instanceof Record r) return write(r);
        if (v instanceof List<?> l) return l.stream().map(x -> x instanceof Config c ? c.asMap() : plain(x)).toList();
        return v;
    }

    static String key(RecordComponent rc) {
        return rc.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static Object value(Config c, RecordComponent rc) {
        String key = key(rc);
        Class<?> t = rc.getType();
        Default d = rc.getAnnotation(Default.class);
        if (!c.has(key)) {
            if (d == null) throw new ConfigException("missing key '" + key + "' in " + c.where());
            if (d.value().equals(Default.NONE)) {
                if (t.isPrimitive()) throw new IllegalStateException(rc + ": a primitive cannot default to none");
                return null;
            }
            return value(new Config(c.where(), Map.of(key, defaultValue(t, d.value()))), rc);
        }
        if (t == int.class || t == Integer.class) return c.getInt(key);
        if (t == float.class || t == Float.class) return (float) c.getDouble(key);
        if (t == double.class || t == Double.class) return c.getDouble(key);
        if (t == boolean.class || t == Boolean.class) return c.getBoolean(key, false);
        if (t == String.class) return c.getString(key);
        if (t == int[].class) return c.getIntArray(key, null);
        if (t.isEnum()) return constant(c, key, t);
        if (Record.class.isAssignableFrom(t)) return section(c.getSection(key), t.asSubclass(Record.class));
        if (t == List.class && rc.getGenericType() instanceof ParameterizedType p && p.getActualTypeArguments()[0] == Config.class) {
            return c.getSections(key);
        }
        throw new IllegalStateException(rc + ": config records cannot hold a " + rc.getGenericType());
    }

    /** A nested record ({@code attention: {window: 256}}); its own checks' errors name the section. */
    private static Record section(Config c, Class<? extends Record> type) {
        try {
            return read(c, type);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(c.where() + ": " + e.getMessage());
        }
    }

    private static Object defaultValue(Class<?> t, String text) {
        if (t == int[].class) return Arrays.stream(text.split(",")).map(s -> Integer.parseInt(s.trim())).toList();
        return text;
    }

    private static Object constant(Config c, String key, Class<?> t) {
        String text = c.getString(key).trim();
        Object[] constants = t.getEnumConstants();
        for (Object e : constants) if (((Enum<?>) e).name().equalsIgnoreCase(text)) return e;
        throw new ConfigException("key '" + key + "' in " + c.where() + " must be one of "
                + String.join(", ", Arrays.stream(constants).map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT)).toList())
                + ", got '" + text + "'");
    }
}
