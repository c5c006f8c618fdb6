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
            description = "A dataset and split (fashion-mnist:test, boston:test, moby-dick:val, spam-assassin:test, …), a CSV file or a text file/folder.")
    String data;

    @Mixin DataDirOption dataDir;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--batch-size", defaultValue = "256")
    int batchSize;

    @Option(names = "--k", defaultValue = "10", paramLabel = "K",
            description = "Recommenders on a ranking split (ffq:test, supermarket:test): the cut-off of NDCG@K, recall@K, hit_rate@K, … (default 10).")
    int k;

    @Override
    public Integer call() throws Exception {
        var loaded = ModelDirectory.load(modelDir);
        var card = loaded.card();
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
