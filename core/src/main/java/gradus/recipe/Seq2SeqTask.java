package gradus.recipe;

import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.config.ConfigRecords;
import gradus.data.DataException;
import gradus.data.datasets.TextPairs;
import gradus.models.Seq2SeqConfig;
import gradus.models.Seq2SeqData;
import gradus.models.Seq2SeqDecoding;
import gradus.models.Seq2SeqEvaluation;
import gradus.models.Seq2SeqTransformer;
import gradus.nn.Module;
import gradus.text.Tokenizer;
import gradus.train.Loss;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sequence-to-sequence side of a {@link Recipe} (a data section naming text pairs, such as
 * {@code spam-assassin-subjects:train}): fits the tokenizer on the training sources and targets, adds one id
 * for the end token (the decoder starts from the pad id, as T5's does), encodes the splits for teacher
 * forcing, and after training scores the test pairs with ROUGE under greedy decoding and beam search
 * (the recipe's {@code generate} section: {@code beams}, {@code length_penalty}, {@code max_examples}).
 */
final class Seq2SeqTask {
    static final String TASK = "seq2seq";

    private Seq2SeqTask() {}

    static boolean applies(Config data) {
        return data.has("train") && TextPairs.isPairs(data.getString("train"));
    }

    static Recipe.Prepared prepare(Config recipe, Path dataDir) {
        Config data = recipe.getSection("data");
        TextPairs train = open(data, "train", dataDir);
        List<String> texts = new ArrayList<>(train.sources());
        texts.addAll(train.targets());
        Tokenizer tokenizer = TextTask.tokenizer(data.getSection("tokenizer"), texts);
        Map<String, Object> model = new LinkedHashMap<>(recipe.getSection("model").asMap());
        model.putIfAbsent("vocab_size", tokenizer.vocabSize() + 1); // the last id is the end token
        model.putIfAbsent("pad_id", Math.max(0, tokenizer.padId()));
        model.putIfAbsent("bos_id", model.get("pad_id"));
        Seq2SeqConfig c = config(new Config(recipe.where() + ".model", model));
        if (c.vocabSize() <= tokenizer.vocabSize()) {
            throw new ConfigException(recipe.where() + ": model.vocab_size is " + c.vocabSize() + " but the tokenizer has "
                    + tokenizer.vocabSize() + " ids and the end token needs one more; raise it or leave it out");
        }
        model.put("eos_id", c.eosId());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("task", TASK);
        extra.put("max_length", c.sourceLength());
        return new Recipe.Prepared(TASK, Seq2SeqData.encode(train, tokenizer, c),
                data.has("validation") ? Seq2SeqData.encode(open(data, "validation", dataDir), tokenizer, c) : null,
                data.has("test") ? Seq2SeqData.encode(open(data, "test", dataDir), tokenizer, c) : null, tokenizer, model, extra);
    }

    /** Cross-entropy over the target tokens, padding left out. */
    static Loss loss(Map<String, Object> modelConfig) {
        int pad = ((Number) modelConfig.get("pad_id")).intValue();
        return (out, batch) -> Seq2SeqTransformer.loss(out, batch.labels(), pad);
    }

    /** ROUGE of greedy decoding and of beam search on the test pairs, printed and returned as test logs. */
    static Map<String, Double> rouge(Config recipe, Module model, Tokenizer tokenizer, Path dataDir, PrintStream log) {
        Config g = recipe.getSection("generate", Map.of()).allowOnly("beams", "length_penalty", "max_examples");
        TextPairs test = open(recipe.getSection("data"), "test", dataDir).first(g.getInt("max_examples", Integer.MAX_VALUE));
        Seq2SeqTransformer s2s = (Seq2SeqTransformer) model;
        Map<String, Double> logs = new LinkedHashMap<>();
        var greedy = Seq2SeqEvaluation.run(s2s, tokenizer, test, Seq2SeqDecoding.Settings.greedy());
        int beams = g.getInt("beams", 4);
        var beam = Seq2SeqEvaluation.run(s2s, tokenizer, test, Seq2SeqDecoding.Settings.beam(beams, g.getFloat("length_penalty", 1f)));
        greedy.summary().forEach((k, v) -> logs.put("greedy_" + k, v));
        beam.summary().forEach((k, v) -> logs.put("beam_" + k, v));
        log.printf(Locale.ROOT, "test ROUGE on %d pairs (F ×100)  greedy: R1 %.2f R2 %.2f RL %.2f   beam %d: R1 %.2f R2 %.2f RL %.2f%n",
                test.size(), logs.get("greedy_rouge1"), logs.get("greedy_rouge2"), logs.get("greedy_rougeL"), beams,
                logs.get("beam_rouge1"), logs.get("beam_rouge2"), logs.get("beam_rougeL"));
        for (int i = 0; i < Math.min(3, test.size()); i++) {
            log.printf("  subject %-40s greedy %-30s beam %s%n", '"' + test.targets().get(i) + '"', '"' + greedy.predictions().get(i) + '"',
                    '"' + beam.predictions().get(i) + '"');
        }
        return logs;
    }

    static Seq2SeqConfig config(Config c) {
        try {
            return ConfigRecords.read(c, Seq2SeqConfig.class, "type");
        } catch (IllegalArgumentException e) {
            if (e instanceof ConfigException) throw e;
            throw new ConfigException("invalid Seq2SeqTransformer config in " + c.where() + ": " + e.getMessage());
        }
    }

    private static TextPairs open(Config data, String key, Path dataDir) {
        try {
            return TextPairs.open(data.getString(key), dataDir);
        } catch (DataException e) {
            throw new ConfigException(data.where() + "." + key + ": " + e.getMessage());
        }
    }
}
