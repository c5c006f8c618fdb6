package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.TensorDataset;
import gradus.data.datasets.Datasets;
import gradus.explain.Attack;
import gradus.explain.Fgsm;
import gradus.explain.Pgd;
import gradus.explain.Robustness;
import gradus.explain.SquareAttack;
import gradus.io.ModelDirectory;
import gradus.nn.Module;
import gradus.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "attack", description = {"Attack a saved classifier with adversarial examples and report",
        "its accuracy on clean and on attacked inputs, for each epsilon.",
        "fgsm: one signed-gradient step; pgd: projected gradient descent from a seeded random start;",
        "square: the query-only Square Attack (L∞, images), which needs no gradients.",
        "Inputs stay in the valid range (default: the data's own minimum and maximum)."})
final class AttackCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "A labelled dataset split, e.g. fashion-mnist:test.")
    String data;

    @Mixin DataDirOption dataDir;

    @Option(names = "--method", defaultValue = "pgd", paramLabel = "fgsm|pgd|square", description = "The attack (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = {"--epsilon", "--eps"}, required = true, split = ",", paramLabel = "E", description = "Perturbation budgets, e.g. 0.01,0.03,0.1.")
    List<Float> epsilons;

    @Option(names = "--norm", defaultValue = "linf", paramLabel = "linf|l2", description = "PGD's norm (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "PGD steps, Square Attack queries ×100 (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", paramLabel = "A", description = "PGD step (default 2.5·epsilon/steps).")
    Float stepSize;

    @Option(names = "--range", split = ",", paramLabel = "MIN,MAX", description = "The valid input range (default: the data's).")
    List<Float> range;

    @Option(names = "--limit", defaultValue = "1000", paramLabel = "N", description = "Examples attacked (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "PGD's random start (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "100")
    int batchSize;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!List.of("fgsm", "pgd", "square").contains(method)) throw new IllegalArgumentException("--method must be fgsm, pgd or square, got '" + method + "'");
        if (limit < 1 || batchSize < 1) throw new IllegalArgumentException("--limit and --batch-size must be positive");
        var loaded = ModelDirectory.load(modelDir);
        if (!"classification".equals(loaded.config().get("task"))) {
            throw new IllegalArgumentException(modelDir + " is not a classifier (task " + loaded.config().get("task") + "): attacks report accuracy");
        }
        Module model = loaded.model().eval();
        TensorDataset ds = Datasets.openFor(data, dataDir.dir, loaded.card().classNames(), loaded.card().scaler());
        if (ds.labels() == null) throw new IllegalArgumentException(data + " has no class labels");
        int n = Math.min(limit, ds.size());
        Tensor x = ds.x().narrow(0, 0, n).contiguous();
        int[] labels = java.util.Arrays.copyOf(ds.labels().data(), n);
        float min = range != null ? range.get(0) : x.min().item(), max = range != null ? range.get(1) : x.max().item();
        if (range != null && range.size() != 2) throw new IllegalArgumentException("--range takes MIN,MAX, got " + range);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (float eps : epsilons) {
            Attack attack = method.equals("fgsm") ? new Fgsm(eps, min, max)
                    : method.equals("square") ? new SquareAttack(eps, 100 * steps, 0.8f, seed, min, max)
                    : new Pgd(Pgd.Norm.parse(norm), eps, stepSize != null ? stepSize : 2.5f * eps / steps, steps, true, seed, min, max);
            var r = Robustness.evaluate(model::forward, x, labels, attack, batchSize);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epsilon", eps);
            row.put("attack", r.attack());
            row.put("clean_accuracy", r.cleanAccuracy());
            row.put("robust_accuracy", r.robustAccuracy());
            row.put("max_linf", r.maxLinf());
            rows.add(row);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("examples", n);
            out.put("range", List.of(min, max));
            out.put("results", rows);
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            System.out.printf(Locale.ROOT, "%d examples of %s, inputs in [%s, %s]%n", n, data, min, max);
            System.out.printf(Locale.ROOT, "%-10s %-40s %8s %8s%n", "epsilon", "attack", "clean", "robust");
            for (var row : rows) {
                System.out.printf(Locale.ROOT, "%-10s %-40s %7.1f%% %7.1f%%%n", row.get("epsilon"), row.get("attack"),
                        100 * (Double) row.get("clean_accuracy"), 100 * (Double) row.get("robust_accuracy"));
            }
        }
        return 0;
    }
}
