package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import gradus.data.Dataset;
import gradus.data.datasets.TextEncoding;
import gradus.data.datasets.Datasets;
import gradus.data.datasets.TextData;
import gradus.data.Interactions;
import gradus.io.ModelDirectory;
import gradus.metrics.RecommenderMetrics;
import gradus.models.Recommender;
import gradus.data.datasets.TextPairs;
import gradus.models.Seq2SeqDecoding;
import gradus.models.Seq2SeqEvaluation;
import gradus.models.Seq2SeqTransformer;
import gradus.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", description = "Evaluate a saved model on a dataset split or file.")
final class EvalCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--data", required = true, paramLabel = "SPEC",
            description = "A dataset and split (fashion-mnist:test, boston:test, moby-dick:val, spam-assassin:test, spam-assassin-subjects:test, …), a CSV file or a text file/folder.")
    String data;

    @Mixin DataDirOption dataDir;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--batch-size", defaultValue = "256")
    int batchSize;

    @Option(names = "--k", defaultValue = "10", paramLabel = "K",
            description = "Recommenders on a ranking split (ffq:test, supermarket:test): the cut-off of NDCG@K, recall@K, hit_rate@K, … (default 10).")
    int k;

    @Option(names = "--beams", defaultValue = "1", description = "Seq2seq models: beam width (1: greedy decoding).")
    int beams;

    @Option(names = "--length-penalty", defaultValue = "1.0", description = "Seq2seq beam search: the score is log P / length^α.")
    float lengthPenalty;

    @Option(names = "--max-examples", description = "Seq2seq models: score only the first N pairs.")
    Integer maxExamples;

    @Override
    public Integer call() throws Exception {
        var loaded = ModelDirectory.load(modelDir);
        var card = loaded.card();
        if (loaded.model() instanceof Seq2SeqTransformer s2s) return rouge(s2s);
        Dataset dataset = TextData.isText(data)
                ? TextEncoding.forModel(TextData.open(data, dataDir.dir), ModelDirectory.tokenizer(modelDir), card.task(), card.context(), card.maxLength())
                : Datasets.openFor(data, dataDir.dir, card.classNames(), card.scaler());
        var report = Evaluation.run(loaded.model(), loaded.card(), dataset, batchSize);
        if (loaded.model() instanceof Recommender recommender) report.summary().putAll(ranking(recommender));
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(report.summary()));
        } else {
            print(report);
        }
        return 0;
    }

    /**
     * Top-k metrics of a recommender on a recommender data set's test split, ranking each user's unseen items (none for
     * another spec: a training split holds no held-out items to find).
     */
    private Map<String, Double> ranking(Recommender recommender) {
        if (k < 1) throw new IllegalArgumentException("--k must be at least 1, got " + k);
        Interactions.Parts parts = Datasets.interactions(data, dataDir.dir);
        if (parts == null || !data.endsWith(":test")) return Map.of();
        if (parts.train().numUsers() != recommender.numUsers() || parts.train().numItems() != recommender.numItems()) {
            throw new IllegalArgumentException("the model scores " + recommender.numUsers() + " users x " + recommender.numItems()
                    + " items, " + data + " has " + parts.train().numUsers() + " x " + parts.train().numItems());
        }
        Map<String, Double> m = new LinkedHashMap<>(RecommenderMetrics.ranking(recommender::scores, parts.train(), parts.test(), k,
                Datasets.relevantAtLeast(data)));
        m.put("ranked_users", m.remove("users"));
        return m;
    }

    /** Decodes every source of the pairs and prints mean ROUGE-1/2/L F-measures ×100 against the targets. */
    private int rouge(Seq2SeqTransformer model) throws Exception {
        if (!TextPairs.isPairs(data)) {
            throw new IllegalArgumentException("--data " + data + ": a seq2seq model is evaluated on text pairs (" + String.join(", ", TextPairs.KNOWN) + ")");
        }
        if (beams < 1) throw new IllegalArgumentException("--beams must be >= 1, got " + beams);
        TextPairs pairs = TextPairs.open(data, dataDir.dir);
        if (maxExamples != null) pairs = pairs.first(maxExamples);
        var settings = beams == 1 ? Seq2SeqDecoding.Settings.greedy() : Seq2SeqDecoding.Settings.beam(beams, lengthPenalty);
        var report = Seq2SeqEvaluation.run(model, ModelDirectory.tokenizer(modelDir), pairs, settings);
        Map<String, Object> summary = new LinkedHashMap<>(report.summary());
        summary.put("pairs", pairs.size());
        summary.put("beams", beams);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(summary));
        } else {
            System.out.printf(Locale.ROOT, "ROUGE F ×100 on %d pairs (%s): R1 %.2f  R2 %.2f  RL %.2f%n", pairs.size(),
                    beams == 1 ? "greedy" : "beam " + beams, summary.get("rouge1"), summary.get("rouge2"), summary.get("rougeL"));
        }
        return 0;
    }

    static void print(Evaluation.Report report) {
        if (report.classification() != null) {
            System.out.println(report.classification().toString());
            System.out.println(report.confusion().render());
            System.out.printf(Locale.ROOT, "loss %.4f on %d samples%n", (Double) report.summary().get("loss"), ((Number) report.summary().get("samples")).intValue());
        } else {
            for (Map.Entry<String, Object> e : report.summary().entrySet()) {
                System.out.printf(Locale.ROOT, "%-12s %s%n", e.getKey(), e.getValue() instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : e.getValue());
            }
        }
    }
}
