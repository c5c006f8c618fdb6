package gradus.models;

import gradus.config.Config;
import gradus.config.ConfigException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Hyperparameters of a {@link Gpt}. As a map (config.json, YAML) the keys are {@code vocab_size},
 * {@code context_length}, {@code layers}, {@code heads}, {@code width}, {@code dropout},
 * {@code tie_weights} and {@code positional} (learned, sinusoidal or rotary).
 */
public record GptConfig(int vocabSize, int contextLength, int layers, int heads, int width, float dropout,
                        boolean tieWeights, Positional positional) {

    /** How the model learns where each token is. */
    public enum Positional {
        /** A trained vector per position added to the token embeddings (GPT-2). */
        LEARNED,
        /** Fixed sine/cosine vectors added to the token embeddings. */
        SINUSOIDAL,
        /** Queries and keys rotated by position in every attention layer (RoPE). */
        ROTARY;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Positional parse(String s, String where) {
            for (Positional p : values()) if (p.key().equalsIgnoreCase(s.trim())) return p;
            throw new ConfigException("key 'positional' in " + where + " must be one of learned, sinusoidal, rotary; got '" + s + "'");
        }
    }

    public GptConfig {
        if (vocabSize <= 0 || contextLength <= 0 || layers <= 0 || heads <= 0 || width <= 0) {
            throw new IllegalArgumentException("GPT sizes must be positive, got " + this);
        }
        if (width % heads != 0) throw new IllegalArgumentException("GPT width " + width + " must be divisible by heads " + heads);
        if (positional == Positional.ROTARY && (width / heads) % 2 != 0) {
            throw new IllegalArgumentException("rotary positions need an even head size, got width/heads = " + width / heads);
        }
        if (dropout < 0f || dropout >= 1f) throw new IllegalArgumentException("GPT dropout must be in [0, 1), got " + dropout);
        if (positional == null) throw new IllegalArgumentException("GPT positional must be set");
    }

    /** Learned positions, tied weights, no dropout. */
    public static GptConfig of(int vocabSize, int contextLength, int layers, int heads, int width) {
        return new GptConfig(vocabSize, contextLength, layers, heads, width, 0f, true, Positional.LEARNED);
    }

    public GptConfig withDropout(float p) {
        return new GptConfig(vocabSize, contextLength, layers, heads, width, p, tieWeights, positional);
    }

    public GptConfig withTieWeights(boolean tie) {
        return new GptConfig(vocabSize, contextLength, layers, heads, width, dropout, tie, positional);
    }

    public GptConfig withPositional(Positional p) {
        return new GptConfig(vocabSize, contextLength, layers, heads, width, dropout, tieWeights, p);
    }

    static final String[] KEYS = {"type", "vocab_size", "context_length", "layers", "heads", "width", "dropout", "tie_weights", "positional"};

    /** The model section of a config.json: {@code type: Gpt} and the snake_case keys. */
    public Map<String, Object> toMap() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "Gpt");
        c.put("vocab_size", vocabSize);
        c.put("context_length", contextLength);
        c.put("layers", layers);
        c.put("heads", heads);
        c.put("width", width);
        c.put("dropout", dropout);
        c.put("tie_weights", tieWeights);
        c.put("positional", positional.key());
        return c;
    }

    /** Reads the keys of {@link #toMap()}; dropout (0), tie_weights (true) and positional (learned) are optional. */
    public static GptConfig from(Config c) {
        c.allowOnly(KEYS);
        try {
            return new GptConfig(c.getInt("vocab_size"), c.getInt("context_length"), c.getInt("layers"), c.getInt("heads"),
                    c.getInt("width"), c.getFloat("dropout", 0f), c.getBoolean("tie_weights", true),
                    Positional.parse(c.getString("positional", "learned"), c.where()));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid GPT config in " + c.where() + " (keys " + Arrays.toString(KEYS) + "): " + e.getMessage());
        }
    }
}
