package gradus.recipe;

import gradus.config.Config;
import gradus.config.ConfigException;

import java.util.Map;

/**
 * What a recipe can be checked for before any data is read or model built: paths the platform can name, patterns
 * that compile, counts that are exact integers in a sensible range. The errors name the key, never a JDK exception.
 */
final class RecipeCheck {
    /** The longest sequence a recipe may ask for (tokens); far beyond any context these models train with. */
    static final int MAX_SEQUENCE = 1 << 20;

    private RecipeCheck() {}

    static void check(Config recipe) {
        recipe.getInt("seed", 0);
        Config data = recipe.getSection("data");
        for (String key : new String[]{"train", "validation", "test"}) {
            if (key.equals("train") || data.has(key)) {
                if (!(data.asMap().get(key) instanceof String)) {
                    throw new ConfigException("key '" + key + "' in " + data.where() + " must be a data set name or path, got '" + data.asMap().get(key) + "'");
                }
                data.getPath(key);
            }
        }
        if (data.has("validation_split")) data.getDouble("validation_split");
        if (data.has("max_length")) data.getInt("max_length", 1, MAX_SEQUENCE);
        if (data.has("context")) data.getInt("context", 1, MAX_SEQUENCE);
        if (data.has("tokenizer")) {
            Config tokenizer = data.getSection("tokenizer");
            tokenizer.getString("type");
            tokenizer.getPattern("pattern", null);
            if (tokenizer.has("path")) tokenizer.getPath("path");
        }
        Config training = recipe.getSection("training", Map.of());
        if (training.has("batch_size")) training.getInt("batch_size", 1, 1 << 24);
        if (training.has("epochs")) training.getInt("epochs", 0, 1_000_000);
        if (training.has("steps")) training.getInt("steps", 0, Integer.MAX_VALUE);
        if (recipe.has("generate")) {
            Config generate = recipe.getSection("generate");
            if (generate.has("max_tokens")) generate.getInt("max_tokens", 0, MAX_SEQUENCE);
            if (generate.has("top_k")) generate.getInt("top_k", 0, Integer.MAX_VALUE);
        }
    }
}
