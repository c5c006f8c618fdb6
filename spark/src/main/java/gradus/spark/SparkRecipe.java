package gradus.spark;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.config.Config;
import gradus.recipe.Recipe;
import gradus.train.History;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recipe trained data-parallel on Spark ({@code gradus train RECIPE --spark MASTER}): one barrier stage of N tasks,
 * each running the recipe as one replica ({@link Recipe#run(Recipe.Options, gradus.train.DataParallel)}) with the
 * gradients averaged over a {@link RingAllReduce}. Every task reads the recipe's data; rank 0 validates and writes
 * the run directory (on a cluster a directory the driver can read too), and its log lines (the header, the progress
 * bar, the epoch lines) come to the driver's log over a socket, so the run looks like a local one.
 */
public final class SparkRecipe {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SparkRecipe() {}

    /**
     * Starts Spark on {@code master} (local[N], local-cluster[…], spark://host:port, k8s://…), runs the recipe on
     * {@code workers} tasks (null: Spark's default parallelism) and stops Spark. The CLI's entry point.
     */
    public static Recipe.Result run(Map<String, Object> recipe, Recipe.Options options, String master, Integer workers) throws IOException {
        SparkMaster.requireReachable(master);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("gradus train " + new Recipe(new Config("recipe", recipe)).name());
        if (master.startsWith("local")) {
            conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) { // Spark's own SparkException is checked, though no Java signature says so
            throw new IllegalArgumentException("Spark did not start on master '" + master + "': " + e.getMessage(), e);
        }
        try {
            sc.setLogLevel("WARN");
            return run(sc, recipe, options, workers);
        } finally {
            sc.stop();
        }
    }

    /** Runs the recipe on {@code workers} barrier tasks (null: the context's default parallelism) of a running Spark. */
    public static Recipe.Result run(JavaSparkContext sc, Map<String, Object> recipe, Recipe.Options options, Integer workers) throws IOException {
        Recipe checked = new Recipe(new Config("recipe", recipe)); // a bad recipe fails here, not in a task
        int n = workers != null ? workers : sc.defaultParallelism();
        if (n < 1) throw new IllegalArgumentException("--workers must be at least 1, got " + n);
        String master = sc.master();
        if (master.startsWith("local") && n > sc.defaultParallelism()) {
            throw new IllegalArgumentException(n + " workers need " + n + " task slots at once; master " + master + " has "
                    + sc.defaultParallelism() + " (use local[" + n + "] or fewer --workers)");
        }
        PrintStream log = options.log() != null ? options.log() : System.out;
        String host = sc.getConf().get("spark.driver.host", "localhost");
        try (LogRelay relay = new LogRelay(host, log)) {
            RecipeTask task = new RecipeTask(JSON.writeValueAsString(recipe), Args.of(options), host, relay.port());
            RDD<TaskResult> run = sc.parallelize(range(n), n).rdd().barrier()
                    .mapPartitions(task, false, ClassTag$.MODULE$.apply(TaskResult.class));
            List<TaskResult> results;
            try {
                results = run.toJavaRDD().collect();
            } catch (RuntimeException e) {
                throw new IllegalStateException("training recipe '" + checked.name() + "' on Spark failed: " + rootMessage(e), e);
            }
            relay.awaitEnd();
            TaskResult lead = results.get(0);
            return new Recipe.Result(Path.of(lead.modelDir()), new History(lead.epochs(), lead.stoppedEarly()), lead.test());
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(i);
        return out;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        // Spark's own message starts with the stage and task; the worker's cause is the useful part
        return m.lines().findFirst().orElse(m);
    }

    /** The recipe options a task needs, as plain values (paths are not serializable). */
    record Args(String outDir, String dataDir, Integer epochs, Long seed, boolean progress, String resumeFrom, Integer steps) implements Serializable {
        static Args of(Recipe.Options o) {
            return new Args(o.outDir().toAbsolutePath().toString(), o.dataDir() == null ? null : o.dataDir().toAbsolutePath().toString(),
                    o.epochs(), o.seed(), o.progress(), o.resumeFrom() == null ? null : o.resumeFrom().toAbsolutePath().toString(), o.steps());
        }

        Recipe.Options options(PrintStream log, boolean lead) {
            return new Recipe.Options(Path.of(outDir), dataDir == null ? null : Path.of(dataDir), epochs, seed, lead && progress, log,
                    resumeFrom == null ? null : Path.of(resumeFrom), steps);
        }
    }

    /** What rank 0 sends back: its history, test logs and model directory. */
    record TaskResult(String modelDir, List<Map<String, Double>> epochs, boolean stoppedEarly, Map<String, Double> test) implements Serializable {}

    /** The body of one barrier task: the recipe as one replica. */
    private static final class RecipeTask extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<TaskResult>>
            implements Serializable {
        private final String recipeJson, driverHost;
        private final Args args;
        private final int logPort;

        RecipeTask(String recipeJson, Args args, String driverHost, int logPort) {
            this.recipeJson = recipeJson;
            this.args = args;
            this.driverHost = driverHost;
            this.logPort = logPort;
        }

        @Override
        public scala.collection.Iterator<TaskResult> apply(scala.collection.Iterator<Integer> ignored) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId(), n = ctx.getTaskInfos().length;
            try {
                Map<String, Object> map = JSON.readValue(recipeJson, new TypeReference<LinkedHashMap<String, Object>>() {});
                Recipe recipe = new Recipe(new Config("recipe", map));
                String host = DataParallelWorker.hostOf(ctx.getTaskInfos()[rank].address());
                try (RingAllReduce ring = new RingAllReduce(rank, n, host, ctx::allGather)) {
                    // Building a replica draws its initial weights from the JVM's global generator, which the tasks
                    // of one executor share: the other ranks start once rank 0 has built its own (then broadcast).
                    if (rank != 0) ctx.barrier();
                    var parallel = new RingDataParallel(ring, 1 << 18, rank == 0 ? ctx::barrier : null);
                    if (rank != 0) {
                        recipe.run(args.options(new PrintStream(OutputStream.nullOutputStream()), false), parallel);
                        return CollectionConverters.asScala(List.<TaskResult>of().iterator());
                    }
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(driverHost, logPort), 30_000);
                        PrintStream log = new PrintStream(socket.getOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
                        Recipe.Result r = recipe.run(args.options(log, true), parallel);
                        log.flush();
                        List<Map<String, Double>> epochs = new ArrayList<>();
                        for (var e : r.history().epochs()) epochs.add(new LinkedHashMap<>(e));
                        var result = new TaskResult(r.modelDir().toString(), epochs, r.history().stoppedEarly(),
                                r.test() == null ? null : new LinkedHashMap<>(r.test()));
                        return CollectionConverters.asScala(List.of(result).iterator());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("worker " + rank + ": " + e.getMessage(), e);
            }
        }
    }
}
