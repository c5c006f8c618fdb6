package gradus.spark.tune;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.recipe.Recipe;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hyperparameter search over a Gradus recipe with Spark: every trial is one Spark task (a partition of its own) that
 * runs {@link Recipe#run} with the trial's values set, so trials spread over the cluster's task slots.
 * Grid, random, and successive halving (trials that resume from their own checkpoint with more epochs while the
 * worse half, or 1 − 1/η, is dropped at each rung). {@code outDir} must be visible to all executors (a shared
 * file system on a cluster).
 * <pre>{@code
 * var space = new SearchSpace().choice("optimizer.lr", 0.001, 0.01).choice("training.batch_size", 16, 64);
 * var results = HyperparameterSearch.of(recipe, space).metric("val_loss", false).outDir(dir).grid(spark);
 * results.table().show(); results.best().params();
 * }</pre>
 */
public final class HyperparameterSearch implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String recipeJson;
    private final SearchSpace space;
    private String metric = "val_loss";
    private boolean maximize;
    private String outDir, dataDir;
    private int parallel;

    private HyperparameterSearch(Map<String, Object> recipe, SearchSpace space) {
        try {
            this.recipeJson = JSON.writeValueAsString(recipe);
        } catch (IOException e) {
            throw new UncheckedIOException("the recipe cannot be written as JSON: " + e.getMessage(), e);
        }
        this.space = space;
        new Recipe(new gradus.config.Config("recipe", recipe)); // refuses a bad recipe before any task starts
    }

    /** A search over {@code recipe} (a recipe's YAML as maps and lists). */
    public static HyperparameterSearch of(Map<String, Object> recipe, SearchSpace space) {
        return new HyperparameterSearch(recipe, space);
    }

    /** The metric of the last epoch to rank trials by (a key of the epoch logs: val_loss, val_accuracy, …). */
    public HyperparameterSearch metric(String name, boolean maximize) {
        this.metric = name;
        this.maximize = maximize;
        return this;
    }

    public HyperparameterSearch outDir(Path dir) {
        this.outDir = dir.toAbsolutePath().toString();
        return this;
    }

    public HyperparameterSearch dataDir(Path dir) {
        this.dataDir = dir == null ? null : dir.toAbsolutePath().toString();
        return this;
    }

    /** Trials that run at once in {@link #asha} (default: Spark's default parallelism, one per task slot). */
    public HyperparameterSearch parallel(int trials) {
        if (trials < 1) throw new IllegalArgumentException("parallel trials must be at least 1, got " + trials);
        this.parallel = trials;
        return this;
    }

    /** The trials, the best one, and the table (one row per trial, a column per parameter) as a DataFrame. */
    public record Results(List<Trial> trials, Trial best, Dataset<Row> table, int totalEpochs) {}

    public Results grid(SparkSession spark) {
        return results(spark, run(spark, number(space.grid()), null, Map.of()));
    }

    public Results random(SparkSession spark, int trials, long seed) {
        return results(spark, run(spark, number(space.sample(trials, seed)), null, Map.of()));
    }

    /**
     * Successive halving: {@code trials} random points train {@code minEpochs}; the best 1/η go on (resuming their
     * checkpoint) to η times as many epochs, until one is left or {@code maxEpochs} is reached.
     */
    public Results successiveHalving(SparkSession spark, int trials, long seed, int minEpochs, int eta, int maxEpochs) {
        if (eta < 2) throw new IllegalArgumentException("eta must be at least 2, got " + eta);
        List<Point> alive = number(space.sample(trials, seed));
        Map<Integer, Trial> latest = new LinkedHashMap<>();
        int epochs = minEpochs;
        while (true) {
            List<Trial> rung = run(spark, alive, epochs, latest);
            rung.forEach(t -> latest.put(t.id(), t));
            if (alive.size() == 1 || epochs >= maxEpochs) break;
            int keep = Math.max(1, alive.size() / eta);
            List<Integer> kept = rung.stream().sorted(order()).limit(keep).map(Trial::id).toList();
            alive = alive.stream().filter(p -> kept.contains(p.id())).toList();
            epochs = Math.min(maxEpochs, epochs * eta);
        }
        return results(spark, new ArrayList<>(latest.values()));
    }

    /**
     * Asynchronous successive halving ({@link Asha}): {@code trials} points of the space (drawn without replacement
     * from the seed where the space is a finite grid, else sampled) enter rung 0 with {@code minEpochs}; a trial among
     * the top 1/η of its rung is promoted to η times the epochs (resuming its own checkpoint) as soon as a worker is
     * free, up to {@code maxEpochs}; the rest stop early. Trials run {@link #parallel} at once, each as a Spark job of
     * one task. The best trial is the best of the highest rung reached.
     */
    public Results asha(SparkSession spark, int trials, long seed, int minEpochs, int eta, int maxEpochs) {
        Asha scheduler = new Asha(trials, minEpochs, eta, maxEpochs, maximize);
        List<Point> points = number(space.draw(trials, seed));
        Map<Integer, Trial> latest = new java.util.concurrent.ConcurrentHashMap<>();
        int workers = parallel > 0 ? parallel : spark.sparkContext().defaultParallelism();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            threads.add(Thread.ofPlatform().name("gradus-asha-" + w).start(() -> {
                try {
                    for (Asha.Job job; (job = scheduler.take()) != null; ) {
                        Trial before = latest.get(job.trial());
                        try {
                            Trial t = run(spark, List.of(points.get(job.trial())), job.epochs(),
                                    before == null ? Map.of() : Map.of(job.trial(), before)).get(0);
                            latest.put(t.id(), t);
                            scheduler.report(job, t.metric());
                        } catch (RuntimeException e) {
                            scheduler.failed(job);
                            failures.add(e);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while ASHA's trials ran", e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException(failures.size() + " ASHA job(s) failed; the first: " + failures.get(0).getMessage(), failures.get(0));
            throw e;
        }
        List<Trial> all = new ArrayList<>(latest.values());
        all.sort(Comparator.comparingInt(Trial::id));
        List<Integer> top = scheduler.highestRung();
        Trial best = all.stream().filter(t -> top.contains(t.id())).min(order()).orElseThrow();
        return results(spark, all, best);
    }

    private record Point(int id, Map<String, Object> params) implements Serializable {}

    private static List<Point> number(List<Map<String, Object>> points) {
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) out.add(new Point(i, points.get(i)));
        return out;
    }

    private Comparator<Trial> order() {
        Comparator<Trial> c = Comparator.comparingDouble(Trial::metric);
        return maximize ? c.reversed() : c;
    }

    /** One Spark task per point; {@code epochs} null keeps the recipe's, else trains to that many (resuming earlier rungs). */
    private List<Trial> run(SparkSession spark, List<Point> points, Integer epochs, Map<Integer, Trial> previous) {
        if (outDir == null) throw new IllegalStateException("outDir is not set: trials write their models there");
        var sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Map<Integer, Integer> done = new LinkedHashMap<>();
        previous.forEach((id, t) -> done.put(id, t.epochs()));
        List<Trial> trials = sc.parallelize(points, points.size()).map(p -> runTrial(p, epochs, done.get(p.id()))).collect();
        List<Trial> sorted = new ArrayList<>(trials);
        sorted.sort(Comparator.comparingInt(Trial::id));
        return sorted;
    }

    private Trial runTrial(Point p, Integer epochs, Integer epochsDone) throws IOException {
        Map<String, Object> recipe = JSON.readValue(recipeJson, new TypeReference<LinkedHashMap<String, Object>>() {});
        p.params().forEach((path, value) -> set(recipe, path, value));
        Path out = Path.of(outDir, "trial-" + p.id());
        long start = System.nanoTime();
        PrintStream silent = new PrintStream(java.io.OutputStream.nullOutputStream());
        Path resume = epochsDone == null ? null : out.resolve("model");
        var result = new Recipe(new gradus.config.Config("trial " + p.id(), recipe))
                .run(new Recipe.Options(out, dataDir == null ? null : Path.of(dataDir), epochs, null, false, silent, resume));
        Map<String, Double> last = result.history().last();
        Double value = last.get(metric);
        if (value == null) throw new IllegalArgumentException("metric '" + metric + "' is not among the epoch logs " + last.keySet());
        int ran = result.history().epochs().size();
        return new Trial(p.id(), p.params(), value, (epochsDone == null ? 0 : epochsDone) + ran, (System.nanoTime() - start) / 1e9, out.toString());
    }

    /** Sets {@code a.b.2.c} in nested maps and lists, refusing a path that does not exist in the recipe. */
    @SuppressWarnings("unchecked")
    static void set(Map<String, Object> recipe, String path, Object value) {
        String[] keys = path.split("\\.");
        Object node = recipe;
        for (int i = 0; i < keys.length; i++) {
            boolean last = i == keys.length - 1;
            String k = keys[i];
            if (node instanceof Map<?, ?> m) {
                if (last) {
                    ((Map<String, Object>) m).put(k, value);
                    return;
                }
                if (!m.containsKey(k)) throw new IllegalArgumentException("search path '" + path + "': the recipe has no '" + k + "'");
                node = m.get(k);
            } else if (node instanceof List<?> l) {
                int index;
                try {
                    index = Integer.parseInt(k);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("search path '" + path + "': '" + k + "' indexes a list, it must be a number");
                }
                if (index < 0 || index >= l.size()) throw new IllegalArgumentException("search path '" + path + "': index " + index + " of a list of " + l.size());
                if (last) {
                    ((List<Object>) l).set(index, value);
                    return;
                }
                node = l.get(index);
            } else {
                throw new IllegalArgumentException("search path '" + path + "': '" + keys[i - 1] + "' is a value, not a section");
            }
        }
    }

    private Results results(SparkSession spark, List<Trial> trials) {
        return results(spark, trials, trials.stream().min(order()).orElseThrow());
    }

    private Results results(SparkSession spark, List<Trial> trials, Trial best) {
        StructType schema = new StructType().add("trial", DataTypes.IntegerType, false);
        for (String path : space.paths()) schema = schema.add(path, DataTypes.StringType, true);
        schema = schema.add(metric, DataTypes.DoubleType, false).add("epochs", DataTypes.IntegerType, false)
                .add("seconds", DataTypes.DoubleType, false).add("best", DataTypes.BooleanType, false);
        List<Row> rows = new ArrayList<>();
        int epochs = 0;
        for (Trial t : trials) {
            List<Object> cells = new ArrayList<>();
            cells.add(t.id());
            for (String path : space.paths()) cells.add(t.params().containsKey(path) ? String.valueOf(t.params().get(path)) : null);
            cells.add(t.metric());
            cells.add(t.epochs());
            cells.add(t.seconds());
            cells.add(t == best);
            rows.add(RowFactory.create(cells.toArray()));
            epochs += t.epochs();
        }
        return new Results(trials, best, spark.createDataFrame(rows, schema), epochs);
    }
}
