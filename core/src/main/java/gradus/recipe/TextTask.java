package gradus.recipe;

import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.data.Dataset;
import gradus.data.DataException;
import gradus.data.datasets.TextEncoding;
import gradus.data.datasets.TextData;
import gradus.text.BpeTokenizer;
import gradus.text.CharTokenizer;
import gradus.text.Tokenizer;
import gradus.text.WordTokenizer;
import gradus.text.Tokenizers;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text side of a {@link Recipe} (a data section with a {@code tokenizer}): opens the text data,
 * fits the tokenizer on the training texts only, encodes every split, and fills the model's
 * {@code vocab_size} from the tokenizer when the config leaves it out.
 */
final class TextTask {
    static final String LANGUAGE_MODEL = "language_model";

    private TextTask() {}

    static Recipe.Prepared prepare(Config recipe, Path dataDir) {
        Config data = recipe.getSection("data");
        Map<String, Object> model = new LinkedHashMap<>(recipe.getSection("model").asMap());
        TextData.Source train = TextData.open(data.getString("train"), dataDir);
        Tokenizer tokenizer = tokenizer(data.getSection("tokenizer"), texts(train));
        model.putIfAbsent("vocab_size", tokenizer.vocabSize());
        if (model.get("vocab_size") instanceof Number v && v.intValue() < tokenizer.vocabSize()) {
            throw new ConfigException(recipe.where() + ": model.vocab_size is " + v + " but the tokenizer has "
                    + tokenizer.vocabSize() + " ids; raise it or leave it out (it is then taken from the tokenizer)");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        Dataset trainSet;
        String task;
        Integer context = null, maxLength = null;
        if (train instanceof TextData.Corpus corpus) {
            context = data.getInt("context", new Config(recipe.where() + ".model", model).getInt("context_length", 128));
            task = LANGUAGE_MODEL;
            extra.put("task", task);
            extra.put("context", context);
            trainSet = TextEncoding.windows(corpus, tokenizer, context, 1); // every start position once per epoch
        } else {
            TextData.Documents docs = (TextData.Documents) train;
            maxLength = data.getInt("max_length", 256);
            task = "classification";
            extra.put("task", task);
            extra.put("class_names", docs.classNames());
            extra.put("max_length", maxLength);
            trainSet = TextEncoding.classification(docs, tokenizer, maxLength, Math.max(0, tokenizer.padId()));
        }
        return new Recipe.Prepared(task, trainSet, heldOut(data, "validation", dataDir, tokenizer, task, context, maxLength),
                heldOut(data, "test", dataDir, tokenizer, task, context, maxLength), tokenizer, model, extra);
    }

    private static Dataset heldOut(Config data, String key, Path dataDir, Tokenizer tokenizer, String task, Integer context, Integer maxLength) {
        if (!data.has(key)) return null;
        try {
            return TextEncoding.forModel(TextData.open(data.getString(key), dataDir), tokenizer, task, context, maxLength);
        } catch (DataException e) {
            throw new ConfigException(data.where() + "." + key + ": " + e.getMessage());
        }
    }

    /** A tokenizer trained on the training texts ({@code type: char | word | bpe}) or read from a tokenizer.json ({@code type: file}). */
    static Tokenizer tokenizer(Config c, List<String> texts) {
        String type = c.getString("type");
        return switch (type) {
            case "char" -> {
                c.allowOnly("type");
                yield CharTokenizer.train(texts);
            }
            case "word" -> {
                c.allowOnly("type", "max_vocab", "pattern", "lowercase");
                yield WordTokenizer.train(texts, c.getInt("max_vocab", 20000), c.getPattern("pattern", WordTokenizer.DEFAULT_PATTERN),
                        c.getBoolean("lowercase", true));
            }
            case "bpe" -> {
                c.allowOnly("type", "vocab_size", "min_frequency");
                yield BpeTokenizer.train(texts, c.getInt("vocab_size"), c.getInt("min_frequency", 2), List.of());
            }
            case "file" -> {
                c.allowOnly("type", "path");
                try {
                    yield Tokenizers.load(c.getPath("path"));
                } catch (java.io.IOException e) {
                    throw new ConfigException(c.where() + ".path: cannot read " + c.getString("path") + ": " + e.getMessage());
                }
            }
            default -> throw new ConfigException(c.where() + ".type: unknown tokenizer '" + type + "'; known: char, word, bpe, file");
        };
    }

    private static List<String> texts(TextData.Source source) {
        return source instanceof TextData.Corpus c ? List.of(c.text()) : ((TextData.Documents) source).texts();
    }
}
