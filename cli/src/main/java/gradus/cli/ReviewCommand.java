package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.TensorDataset;
import gradus.data.datasets.Datasets;
import gradus.explain.ModelReview;
import gradus.io.ModelDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "review", description = {"Write a review of a saved classifier: accuracy and confusion matrix, weight statistics,",
        "the attribution sanity check (model randomization) and accuracy under FGSM and PGD.",
        "--out FILE.md writes Markdown, FILE.html a web page; without --out the Markdown is printed."})
final class ReviewCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "A labelled dataset split, e.g. fashion-mnist:test.")
    String data;

    @Mixin DataDirOption dataDir;

    @Option(names = "--out", paramLabel = "FILE", description = "report.md or report.html.")
    Path out;

    @Option(names = {"--epsilon", "--eps"}, split = ",", defaultValue = "0.03,0.1", paramLabel = "E", description = "Attack budgets (default ${DEFAULT-VALUE}).")
    List<Float> epsilons;

    @Option(names = "--limit", defaultValue = "500", paramLabel = "N", description = "Examples used (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N")
    long seed;

    @Option(names = "--json", description = "Print the numbers as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit < 1) throw new IllegalArgumentException("--limit must be positive, got " + limit);
        String file = out == null ? null : out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean html = file != null && (file.endsWith(".html") || file.endsWith(".htm"));
        if (file != null && !html && !file.endsWith(".md")) throw new IllegalArgumentException("--out must end in .md or .html, got " + out);
        var loaded = ModelDirectory.load(modelDir);
        if (!"classification".equals(loaded.config().get("task"))) {
            throw new IllegalArgumentException(modelDir + " is not a classifier (task " + loaded.config().get("task") + "): the review reports accuracy");
        }
        TensorDataset ds = Datasets.openFor(data, dataDir.dir, loaded.card().classNames(), loaded.card().scaler());
        List<String> names = loaded.config().get("class_names") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : null;
        float min = ds.x().min().item(), max = ds.x().max().item();
        String name = String.valueOf(loaded.config().getOrDefault("name", modelDir.getFileName()));
        ModelReview review = ModelReview.of(name, loaded.model().eval(), ds, names, limit, epsilons, min, max, seed);
        if (out != null) {
            Files.writeString(out, html ? review.html() : review.markdown());
            System.out.println("wrote " + out);
        }
        if (json) System.out.println(new ObjectMapper().writeValueAsString(review.summary()));
        else if (out == null) System.out.print(review.markdown());
        return 0;
    }
}
