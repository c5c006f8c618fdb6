package gradus.spark;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.TensorDataset;
import gradus.nn.Module;
import gradus.tensor.Tensor;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Data-parallel training on Spark: one barrier stage with one task per worker, each holding a replica of the model
 * and the examples of its partition; every step the gradients are averaged with a ring all-reduce among the tasks,
 * so each replica takes the same optimizer step. With N workers and global batch B the weights follow one process
 * training with batch B on the same examples in the order {@link ShardPlan#globalBatch} gives.
 * <pre>{@code
 * var result = DistributedTrainer.of(model).optimizer(Map.of("type", "adam", "lr", 1e-3)).loss("cross_entropy")
 *         .batchSize(128).epochs(3).workers(2).checkpoint(dir, 50).fit(examples, new int[]{1, 28, 28});
 * }</pre>
 * A failed task fails the barrier stage; Spark retries it and the workers go on from the last checkpoint.
 */
public final class DistributedTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Module model;
    private Map<String, Object> optimizer = Map.of("type", "adam", "lr", 1e-3);
    private String loss = "cross_entropy";
    private int batchSize = 32, epochs = 1, workers = 2, checkpointEvery, bucketFloats = 1 << 18;
    private long seed;
    private boolean shuffle = true;
    private double clipGradNorm;
    private Path checkpointDir;
    private StepListener listener;

    private DistributedTrainer(Module model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** Trains {@code model} in place: its weights are the starting point, and the trained ones are loaded back into it. */
    public static DistributedTrainer of(Module model) {
        return new DistributedTrainer(model);
    }

    /** The optimizer as a recipe writes it, e.g. {@code {type: adam, lr: 0.001}}. */
    public DistributedTrainer optimizer(Map<String, ?> config) {
        this.optimizer = new LinkedHashMap<>(config);
        return this;
    }

    /** A loss name: cross_entropy, mse, l1, bce_with_logits, bce. */
    public DistributedTrainer loss(String name) {
        gradus.train.Loss.named(name, 0f); // refuses an unknown name here, not in a task
        this.loss = name;
        return this;
    }

    /** The global batch: every step averages the gradients of this many examples, B / workers on each. */
    public DistributedTrainer batchSize(int globalBatch) {
        this.batchSize = globalBatch;
        return this;
    }

    public DistributedTrainer epochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        this.epochs = epochs;
        return this;
    }

    /** Barrier tasks (replicas); the cluster needs this many free task slots at once. */
    public DistributedTrainer workers(int workers) {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        this.workers = workers;
        return this;
    }

    public DistributedTrainer seed(long seed) {
        this.seed = seed;
        return this;
    }

    public DistributedTrainer shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    public DistributedTrainer clipGradNorm(double maxNorm) {
        this.clipGradNorm = maxNorm;
        return this;
    }

    /** Floats per all-reduce message (default 262,144 = 1 MiB). */
    public DistributedTrainer bucketFloats(int floats) {
        if (floats < 1) throw new IllegalArgumentException("bucket size must be at least 1 float, got " + floats);
        this.bucketFloats = floats;
        return this;
    }

    /**
     * Saves weights and optimizer state to {@code dir} (a model directory; on a cluster a shared file system) every
     * {@code everySteps} steps; a retried stage resumes there, so a failure costs at most that many steps. A directory
     * holding a checkpoint already resumes it.
     */
    public DistributedTrainer checkpoint(Path dir, int everySteps) {
        if (everySteps < 1) throw new IllegalArgumentException("checkpoint interval must be at least 1 step, got " + everySteps);
        this.checkpointDir = dir.toAbsolutePath();
        this.checkpointEvery = everySteps;
        return this;
    }

    public DistributedTrainer onStep(StepListener listener) {
        this.listener = listener;
        return this;
    }

    /** What training did: the trained model (the one given, updated), losses per epoch and timings from worker 0. */
    public record Result(Module model, List<Double> epochLosses, int steps, int resumedAtStep, long examples,
                         double seconds, double allReduceSeconds, long bytesSentPerStep) {
        public double samplesPerSecond() {
            return examples / Math.max(seconds, 1e-9);
        }
    }

    /** Trains on the rows of a data set (labels or targets), spread over the workers. */
    public Result fit(JavaSparkContext sc, TensorDataset data) {
        int n = data.size();
        int[] shape = data.exampleShape();
        List<Example> rows = new ArrayList<>(n);
        float[] x = data.x().contiguous().toArray();
        int width = x.length / n;
        float[] targets = data.targets() == null ? null : data.targets().contiguous().toArray();
        int t = targets == null ? 0 : targets.length / n;
        for (int i = 0; i < n; i++) {
            float[] row = Arrays.copyOfRange(x, i * width, (i + 1) * width);
            rows.add(data.labels() != null ? Example.labeled(row, data.labels().get(i))
                    : Example.regression(row, Arrays.copyOfRange(targets, i * t, (i + 1) * t)));
        }
        return fit(sc.parallelize(rows, workers), shape);
    }

    /** Trains on {@code examples}, each of shape {@code exampleShape} once unflattened. */
    public Result fit(JavaRDD<Example> examples, int[] exampleShape) {
        Example first = examples.first();
        long count = examples.count();
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException(count + " examples: at most " + Integer.MAX_VALUE + " are supported");
        ShardPlan plan = new ShardPlan((int) count, workers, batchSize, seed, shuffle);
        boolean labeled = first.target() == null;
        TrainingSpec spec = new TrainingSpec(jsonCopy(model.config()), Weights.of(model.stateDict()), jsonCopy(optimizer), loss,
                exampleShape.clone(), labeled, labeled ? 0 : first.target().length, plan, epochs, clipGradNorm, bucketFloats,
                checkpointDir == null ? null : checkpointDir.toString(), checkpointEvery, listener);
        RDD<Tuple2<Long, Example>> shards = examples.zipWithIndex()
                .mapToPair(Tuple2::swap)
                .partitionBy(new ByRank(plan))
                .rdd();
        RDD<WorkerResult> trained = shards.barrier().mapPartitions(new DataParallelWorker(spec), false,
                ClassTag$.MODULE$.apply(WorkerResult.class));
        // A failed barrier ResultStage is aborted, a failed barrier ShuffleMapStage is retried: the shuffle after the
        // training stage is what lets Spark rerun it when a worker dies.
        List<WorkerResult> results = trained.toJavaRDD().repartition(1).collect();
        if (results.size() != 1) throw new IllegalStateException("expected worker 0's result, got " + results.size());
        WorkerResult r = results.get(0);
        model.loadStateDict(r.weights().toStateDict());
        return new Result(model, r.epochLosses(), r.stepsRun(), r.resumedAtStep(), r.examplesSeen(), r.seconds(),
                r.allReduceSeconds(), r.bytesSentPerStep());
    }

    /** A config as plain JSON maps and lists: serializable, and what a model directory would hold. */
    private static Map<String, Object> jsonCopy(Map<String, ?> config) {
        try {
            return JSON.readValue(JSON.writeValueAsString(config), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("config cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** Sends example i to the worker the plan gives it. */
    private static final class ByRank extends Partitioner {
        private final ShardPlan plan;

        ByRank(ShardPlan plan) {
            this.plan = plan;
        }

        @Override
        public int numPartitions() {
            return plan.workers();
        }

        @Override
        public int getPartition(Object key) {
            return plan.rankOf((Long) key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByRank b && b.plan.equals(plan);
        }

        @Override
        public int hashCode() {
            return plan.hashCode();
        }
    }
}
