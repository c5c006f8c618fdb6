package gradus.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A read-only view of a JSON/YAML mapping with errors that name the key and where it sits
 * ({@code model.layers[2]}). {@link #allowOnly} rejects unknown keys and lists the allowed ones.
 */
public final class Config {
    private final String where;
    private final Map<String, Object> values;

    public Config(String where, Map<String, ?> values) {
        this.where = where;
        this.values = new LinkedHashMap<>(values);
    }

    public String where() {
        return where;
    }

    public Map<String, Object> asMap() {
        return new LinkedHashMap<>(values);
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    /** Throws when a key outside {@code allowed} is present, naming it and the allowed keys. */
    public Config allowOnly(String... allowed) {
        TreeSet<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(Arrays.asList(allowed));
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown key" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + " in " + where + "; allowed: " + String.join(", ", new TreeSet<>(Arrays.asList(allowed))));
        }
        return this;
    }

    private Object required(String key) {
        Object v = values.get(key);
        if (v == null) throw new ConfigException("missing key '" + key + "' in " + where);
        return v;
    }

    public String getString(String key) {
        return required(key).toString();
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    /** A file path; one the platform cannot name (a NUL in it) is an error naming the key. */
    public java.nio.file.Path getPath(String key) {
        String text = getString(key);
        try {
            return java.nio.file.Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException("key '" + key + "' in " + where + " is not a valid path: " + e.getReason());
        }
    }

    /** A regular expression, checked to compile; a syntax error names the key and where in the pattern it is. */
    public String getPattern(String key, String fallback) {
        if (!has(key)) return fallback;
        String text = getString(key);
        try {
            java.util.regex.Pattern.compile(text);
            return text;
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new ConfigException("key '" + key + "' in " + where + " is not a valid regular expression: "
                    + e.getDescription() + " at index " + e.getIndex());
        }
    }

    /** An exact integer in int range: 784, 784.0 or "784", never 4294968080 (which would wrap) or 1.5. */
    public int getInt(String key) {
        return exactInt(key, required(key));
    }

    /** {@link #getInt(String)} within [min, max], naming the key and the bounds otherwise. */
    public int getInt(String key, int min, int max) {
        int v = getInt(key);
        if (v < min || v > max) throw new ConfigException("key '" + key + "' in " + where + " must be in " + min + ".." + max + ", got " + v);
        return v;
    }

    private int exactInt(String key, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            boolean integral = n instanceof Integer || n instanceof Short || n instanceof Byte
                    || (n instanceof Long l && l == l.intValue())
                    || (n instanceof java.math.BigInteger b && b.bitLength() < 32)
                    || (!(n instanceof Long) && !(n instanceof java.math.BigInteger) && d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE);
            if (integral) return n.intValue();
            throw new ConfigException("key '" + key + "' in " + where + " must be an integer in " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ", got " + v);
        }
        if (v instanceof String text) {
            try {
                return Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new ConfigException("key '" + key + "' in " + where + " must be an integer, got '" + v + "'");
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public double getDouble(String key) {
        Object v = required(key);
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("key '" + key + "' in " + where + " must be a number, got '" + v + "'");
        }
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public float getFloat(String key, float fallback) {
        return (float) getDouble(key, fallback);
    }

    public boolean getBoolean(String key, boolean fallback) {
        if (!has(key)) return fallback;
        Object v = values.get(key);
        if (v instanceof Boolean b) return b;
        String s = v.toString().trim().toLowerCase();
        if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
        throw new ConfigException("key '" + key + "' in " + where + " must be true or false, got '" + v + "'");
    }

    public int[] getIntArray(String key, int[] fallback) {
        if (!has(key)) return fallback;
        Object v = values.get(key);
        if (v instanceof Number) return new int[]{getInt(key)};
        if (v instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new ConfigException("key '" + key + "' in " + where + " must be a list of integers, got " + v);
                }
                out[i] = exactInt(key + "[" + i + "]", n);
            }
            return out;
        }
        throw new ConfigException("key '" + key + "' in " + where + " must be an integer or a list of integers, got '" + v + "'");
    }

    /** A nested mapping. */
    @SuppressWarnings("unchecked")
    public Config getSection(String key) {
        Object v = required(key);
        if (!(v instanceof Map<?, ?> m)) throw new ConfigException("key '" + key + "' in " + where + " must be a mapping");
        return new Config(where.isEmpty() ? key : where + "." + key, (Map<String, ?>) m);
    }

    public Config getSection(String key, Map<String, ?> fallback) {
        return has(key) ? getSection(key) : new Config(where + "." + key, fallback);
    }

    /** A list of mappings, each named by its position ({@code model.layers[2]}). */
    @SuppressWarnings("unchecked")
    public List<Config> getSections(String key) {
        Object v = required(key);
        if (!(v instanceof List<?> list)) throw new ConfigException("key '" + key + "' in " + where + " must be a list");
        List<Config> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new ConfigException("entry " + i + " of '" + key + "' in " + where + " must be a mapping, got '" + list.get(i) + "'");
            }
            out.add(new Config(where + "." + key + "[" + i + "]", (Map<String, ?>) m));
        }
        return out;
    }

    public List<String> getStrings(String key, List<String> fallback) {
        if (!has(key)) return fallback;
        Object v = values.get(key);
        if (v instanceof List<?> list) return list.stream().map(Object::toString).toList();
        return List.of(v.toString());
    }
}
